/**
 * TEST KEYS — NOT SECRET. Generated once for the test suite and the worked example in
 * docs/protocol.md, and published there on purpose. Never use them for anything but tests and docs.
 */
import type {
  PrivateEncryptionKey,
  PrivateSigningKey,
  PublicEncryptionKey,
  PublicSigningKey,
} from '../keys.ts';

/** 2026-01-01T00:00:00Z, the validity start of every test key and the clock of the worked example. */
export const TEST_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Test Ed25519 signing key `test-ed25519-a`. */
export const ED25519_A_PUBLIC: PublicSigningKey = {
  use: 'signing',
  kid: 'test-ed25519-a',
  alg: 'Ed25519',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAx7FPOBWcchtZ3YP72ZhtwmacviMq8dgY+A5lPf9K39M=
-----END PUBLIC KEY-----
`,
};

export const ED25519_A_PRIVATE: PrivateSigningKey = {
  kid: 'test-ed25519-a',
  alg: 'Ed25519',
  privateKey: `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEICAFIUmX93EE/6bk31ZuzE4Vivm7l6yXzJLTsocBXdAm
-----END PRIVATE KEY-----
`,
};

/** Test Ed25519 signing key `test-ed25519-b`. */
export const ED25519_B_PUBLIC: PublicSigningKey = {
  use: 'signing',
  kid: 'test-ed25519-b',
  alg: 'Ed25519',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAzAH0whCh63dEzNTCKIJEjhWB0j1inZ7S6GPBOua798U=
-----END PUBLIC KEY-----
`,
};

export const ED25519_B_PRIVATE: PrivateSigningKey = {
  kid: 'test-ed25519-b',
  alg: 'Ed25519',
  privateKey: `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJwcDfz2PDrHdO/8bgGGjcQshxi/riQuez0KzrScGyEr
-----END PRIVATE KEY-----
`,
};

/** Test RSA-SHA256 signing key `test-rsa-sign`. */
export const RSA_SIGN_PUBLIC: PublicSigningKey = {
  use: 'signing',
  kid: 'test-rsa-sign',
  alg: 'RSA-SHA256',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtjg8otuzsXt2ufxZ+g8Y
4srz77lbMXvqqQ5tyLWiHkriSfYZKGoA+MFv3Dj/5fDEzqgz+6vSeX+Ib+pcurDu
Bvy3OqEb/fXJm+nEgk7XyMwwDuRBN+QgBoqRMXtwUi4LiPH8HacDWqq3k16JLoPU
2+hVravr8LrgvXX8X87NibQmn7zuBeHye9pgEe2aMBeHxBR2p+cHmr9VIpi6ferY
xFvr2h0+tjEy7xn3cnv2csD7pDexKt++lKMxj+tx6pl+WNSRJqO6d2TtxwVD/Cwe
SNJM5bLG+YCDi11+C+e/Vg4O2wkHnC2jVyYsh11SnsU5Oepg+o02Ej5i0Z0JN9XC
fwIDAQAB
-----END PUBLIC KEY-----
`,
};

export const RSA_SIGN_PRIVATE: PrivateSigningKey = {
  kid: 'test-rsa-sign',
  alg: 'RSA-SHA256',
  privateKey: `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC2ODyi27Oxe3a5
/Fn6DxjiyvPvuVsxe+qpDm3ItaIeSuJJ9hkoagD4wW/cOP/l8MTOqDP7q9J5f4hv
6ly6sO4G/Lc6oRv99cmb6cSCTtfIzDAO5EE35CAGipExe3BSLguI8fwdpwNaqreT
Xokug9Tb6FWtq+vwuuC9dfxfzs2JtCafvO4F4fJ72mAR7ZowF4fEFHan5weav1Ui
mLp96tjEW+vaHT62MTLvGfdye/ZywPukN7Eq376UozGP63HqmX5Y1JEmo7p3ZO3H
BUP8LB5I0kzlssb5gIOLXX4L579WDg7bCQecLaNXJiyHXVKexTk56mD6jTYSPmLR
nQk31cJ/AgMBAAECggEAN8FrZFWfXR4vDOeXTHlUHwkErQRlT/XfrozYsMJK8cPu
C71+oywUUgk2Rgc23c/XGHjFNyuzAjQwtjXa29EJdB/dnNXxL7sGTmuwEkM3qZw4
1EWpYwWtevLpTF+91Zd7NhL9FsGkuBhmhXQ2u4HhHsyvcq2ZSxaTb8VrTJGFuK1f
SlPaSxGgBhqFoJ0l8l+jNFqqmsYq77CVakwbD+lLcGlTRrl1CtRvaNq6m7769wvO
hn8aNTgDGZiEIpRTIP+hTey5QYLo00e3fnzM5Y6lvbzAiaGEvwJPN0mmipf6W0xI
AuQqCnCGLawslIv3lHHPN04gL/nxsy/Iqk6/lxRHEQKBgQDqYk/sl6WhtFXfD9oG
yfjca4E3Jk+haShJrPFVAHhmGuasFer5WkSddXCxownQ63SqFNyUb2LXhG5ma5YU
8oVtS0ioaFN7dHcjsDE6ohhIN15I2lbSKQ1KlxasMxOyvRZBw3Sm/W+V2AoDg6wR
rFdXGq3PSgmTEXjI7ZTrMqRT9wKBgQDHBlnI2hkXrgQ+4/A7W1MulRNh9Nwsm3qP
5biwpO2jD+9fzxBUI33Y2fRlTGTFdnZjetUpHIiUXnsCyddJxwIgU7I+YDmEn3k2
LX9KL8n66AvT3CYxcmNjudw/+kTgk4V9KTHWEuuLIDoyHsm5jncUSqZk9J67DYTk
LQlBOARTuQKBgASkYdTbxAoJ2lGKrNTJl0Y2Ut7WwWj+/i9HX5hBZCERk1QBMyAx
K3663rqF8iHTKAJeW2gNNLX0B4O7ycMscnwRq6S6PD0Lt3hbev4gS77SaemjeWi8
K2k4yNgsQs2ddR1kU6EjD9y15KzhJL1M3oX5H0wluT7Sb8P7AKIP5LVNAoGBAJYQ
pMw8HqVrMYpWBgJLduntv8KhhQ4hYYV0mhCfGwtTbZNZJp+6bx5+ILfspSL6koOp
z2YDPLxajPfqRuk7I9BKK2C630Ovlw6RuaOvauVD5/8jxKyN6oD8WCTpSNvof8OC
tzAJ7g5mC1tVOZcu43yqWNJQXAsAQ45kotDJMwIJAoGBANDgzK9nwrh3xhLt3u8G
DuseE3ip12Utp55aRIbAjETRveC3E0TNEPtXNMAikM/g+vnV3/InMfbVadrWELT2
HJV8mPS3pflVhpmE9hexoDi/f9jtHYbiMaXd+g4sGaAuPeSjOdwjAmdmKrCufyrT
FxPwy4N9eFbF1HQttgHPFp3W
-----END PRIVATE KEY-----
`,
};

/** Test RSA-OAEP-256 encryption key `test-rsa-enc`. */
export const RSA_ENC_PUBLIC: PublicEncryptionKey = {
  use: 'encryption',
  kid: 'test-rsa-enc',
  alg: 'RSA-OAEP-256',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuP4aSXaqusYpH7j5UBy8
Hf9oZdbRbE2VA9N8pEktqrH5DHywOH8y/54FSoaKhhI/tuqt2PEy3rtBXzcQF5H2
KaOqjuMgMzbGSF65rFxzEZySldQ+BdrRzX60r9ZBgFJg4t9nzOV5el5jsXSzRhwF
iHP08SnCQjWto6p8Ej0GURF4gDHHlg+OcaqBkUh8W0iCyiCdoEBJbPBCL+MLj+WQ
h67GEf5Mmxg3u6EuRRkA5IGlfecudRLCrj5nBSofibxvseC5og4o05cEW2sPoFYA
87oedh9UYkV2+XMtsMy32igTyfvhjHjkGObZDwxeSda9Pt4iL9N8Y5frSFyYIVip
8wIDAQAB
-----END PUBLIC KEY-----
`,
};

export const RSA_ENC_PRIVATE: PrivateEncryptionKey = {
  kid: 'test-rsa-enc',
  alg: 'RSA-OAEP-256',
  privateKey: `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC4/hpJdqq6xikf
uPlQHLwd/2hl1tFsTZUD03ykSS2qsfkMfLA4fzL/ngVKhoqGEj+26q3Y8TLeu0Ff
NxAXkfYpo6qO4yAzNsZIXrmsXHMRnJKV1D4F2tHNfrSv1kGAUmDi32fM5Xl6XmOx
dLNGHAWIc/TxKcJCNa2jqnwSPQZREXiAMceWD45xqoGRSHxbSILKIJ2gQEls8EIv
4wuP5ZCHrsYR/kybGDe7oS5FGQDkgaV95y51EsKuPmcFKh+JvG+x4LmiDijTlwRb
aw+gVgDzuh52H1RiRXb5cy2wzLfaKBPJ++GMeOQY5tkPDF5J1r0+3iIv03xjl+tI
XJghWKnzAgMBAAECggEAByEWfEGhf28xmIe1Zqak1/ccMTM1K5pV0CmaAm7Q3row
dzsQQ4J2FwR3qbvuTLpupYBSe4DYIrNOvU+kRB7w61aOX9FVpVj1YpvxReOONQiM
BvrV+mhzcMWdoFp+eGaJq1ShbckOLxlszXhKNxJ6DXHX57oMmCafbtDxf8vFmYwk
87gzlwzdJO0g59htJ0HOYc5pr48+/Gejj45GhsC9lD/BafbarXCLH8drKOuRvTYv
elCoJpr7tAcQKtpC+YpdfYL9/yUDS8Y09h445CCY7DERsFOp5TlwsvBXNR86FC0N
MqxJeIYV3ugKPR9AiBX1ofvx7fu013tDB1/tTHGTIQKBgQDxgOmsb79ZirWYdOOt
5GNxETvOSPyIry93Oj9EOZ8J0k72QiDcDm2sQI1o3BbmkESPfDFAHJp2P+atn+Kp
rT2LcEOgq7bq8GWWBG+crySTgvfl3SlAC345oi1HKFhv6w7UoGHbNqfe1lEIudc9
LVbIpAoOKxUvc20yBz/rlkRHMQKBgQDEGM8EjgaITvUhXjW9+ZW9zVr6lyDDLOov
SRvhlhIw7PyU0MADoD1szcPn+SKJ4V9PMLGpFy5PCA+aqJJzNlVMINwGIR0M89Un
OFpjVMejFLmmxNBrNx7BGny4mqemXC6P1rVGncJRNn+rQK7lpY41Rx1WAsDI4bIf
MO7Kk17CYwKBgCfh+TUf80LPVHQMAbmq+P0oMm87wHC2NamD9gTHW0tc7uteOlz9
CQGkW3YQurty4c+sW9nRn3Sd0vOjbuREluBbNt/m27tq3evraZ8/kVPHEjdk0bYg
78SG0uFoeUpqUDWvEtoH6as0S4ecYT5aKXXTGVIDrWj7r/HOHrFCTJ5RAoGBAJAe
w5dPYpGvpg0+FjVnR5xVXvYpOFT5n6vdCXbEOt5mbkRZH6YKkNp0Z/UHb1DyqH+l
BA2IEerXu9Ao8Glol0v6InsGvzkTw6atjhDO8GJ1CvT8VUlXG21EsEFkuK5VtYrV
fClILNZPPYl5YpE5GckiWPcr0tBQv/6YkgekQ9KNAoGBAO8uSHHQevYImm7Wmknf
yufQjDwqkVcXE4UNZYpz8ChGMM4CYVHWoDSG/JD3cMgq6VQ47k+Xui6N181kUpNe
cJv1ILy+gCmJdhu4KQwPFA9MVXI6/VqGpalj2zoy5hUpvTvbbRGxe2D8xVT//TRb
zs+/52b1iJH+PcGiyRk6KtC2
-----END PRIVATE KEY-----
`,
};

/** Test RSA-OAEP-256 encryption key `test-rsa-enc-2`. */
export const RSA_ENC_2_PUBLIC: PublicEncryptionKey = {
  use: 'encryption',
  kid: 'test-rsa-enc-2',
  alg: 'RSA-OAEP-256',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtRG3BuyuI6fCsEoGpc5I
oWFEWpNAM/FRVPYalFHqhaDB5zPIb20qnsoIG+MeAQv+JPCinh8Ktx7GCtahnCTJ
unWm6kjk6LesddXBamF4mcn2AaaLzcyMbM6u2bYs6xD3qOZGcXLgHhvjLKVmHR5J
hXJeIykrEB733zSvxzX0h2fkRrZOyuFI3/hN9eJeyWz3s8zemlaTp7dm18Q03AWM
K9Srok6eGVXt3x0EiIek1ajuQBdcYpF5sQ3wTXHs542nibftn3XNixlqEU8xpudy
fziDyMj5N4zbGruN0TE/h/zu1JGs3c5URopfXg/RUiQm0NlgeigLmVtvihlqSpMG
NQIDAQAB
-----END PUBLIC KEY-----
`,
};

export const RSA_ENC_2_PRIVATE: PrivateEncryptionKey = {
  kid: 'test-rsa-enc-2',
  alg: 'RSA-OAEP-256',
  privateKey: `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC1EbcG7K4jp8Kw
SgalzkihYURak0Az8VFU9hqUUeqFoMHnM8hvbSqeyggb4x4BC/4k8KKeHwq3HsYK
1qGcJMm6dabqSOTot6x11cFqYXiZyfYBpovNzIxszq7ZtizrEPeo5kZxcuAeG+Ms
pWYdHkmFcl4jKSsQHvffNK/HNfSHZ+RGtk7K4Ujf+E314l7JbPezzN6aVpOnt2bX
xDTcBYwr1KuiTp4ZVe3fHQSIh6TVqO5AF1xikXmxDfBNceznjaeJt+2fdc2LGWoR
TzGm53J/OIPIyPk3jNsau43RMT+H/O7UkazdzlRGil9eD9FSJCbQ2WB6KAuZW2+K
GWpKkwY1AgMBAAECggEAF6CS5T6rn3/z1eym7upazGIkmPwXd9+wqPk/MST6SQsX
2ktFx5Jzagp7YeYyQ1k1Bc13rtHmpEwJ9B6bMoSTZTcWe4JdCmfzQ2IL7c1/vvOd
XAxHOGjNVyJmKwcMV/UcGAhKX2Hp0Ev7yhbgGwMZfWYV1hk4Yw9jcVcO69wEx0lE
hWu0fiwxivEBVOdPFsVZB+tIsATydFNe2FVDB3SfCrSDueBhCF8s5cWEmRkA2arg
T5NZEtoLMo3AMs1EvH77d0rg49c5LevPRxq3Rp8ofxRdAEqDl3sBna68SEph3Th/
91MEWd5LLgzuRLZSGyn5Ukdflb+Vtt33P7ti4EmDoQKBgQD+a01JXk2r5+6yfEDy
nKjj2AhouOKi7DW+B3Z3Y1MlFujgbGvnuOfSCUimlPqcpaQxSXFPiPa5q/v8i/GM
hU633t4dAryInwKiSz1PUlGsS6zG8WEJu+O4J8Am9D47hwnUPsuHlYLOlnEYdmix
BjtQuIRxZ3pNZOoC6H4omAPq4QKBgQC2Mby1Sm4CAwPQayj6TFmDdQUM5Um/STX+
G8Zr2oVwlXwCdaMpi6xMhtrjq1f87yoH4r6MP8NTdrLt/8xKoLbnRvnex7FMXy70
aPLSffFZvQGCMYDrigqtmMTJJc6d90EvSmeY0GJr3aRieoVMEAGjYmiXLdMzZVg5
BjNHwRS51QKBgQD62/p82UtksXAe9X1kuyucXSsNdx+g3Z+wG9OnrHwTGh/NCZrs
BNovs4+7ETJ6uqjHIE9lyPrd4MK6JZKqp9cSXeJMYKJdY8xJEj8Fs3lslcFq+B5i
Zq0Gq8s/nZyvPVtnt/MfYUB1SsmBAWABDM/3q7iLyShCn7pN28hpZlqWgQKBgB4T
ueZnwh9c5g1LE3m2jvRvpgTJ+VG1wU8QwMHfUjYSx2UUjHn4T9pWTN5W0/CyfsrM
eM5oXFNz/ffiSZRsUaV+hxNq/e7wq6y3gpaTKfu5gv0+NN0tbbPYy2u1bRWQ0tb+
vnlwtT6/WTrUpRq4bbzOKxwB+aK7cUQArQiEbGp9AoGBAK18PwOw5h77mIlV0CLG
2MrlZyEagczTi2m3t8tS5dSdoW2fvvtF22SCywONIoRkvykND6Gxz4iCkEzNdk3r
g3qFbpQbhlmnwEAlFjJ1y6QwUkPxpZK6THxDFOFM07kwy/fVpxFud3rn6YFTTNsK
g+c4m8kNJgH33Uo1y3BFc3Fg
-----END PRIVATE KEY-----
`,
};

/**
 * Test SM2-SM3 signing key `test-sm2-sign`: the key pair of the GM/T 0003.5-2012 Annex A example
 * (d = 3945208F…4DF7C5B8), public in the standard itself.
 */
export const SM2_SIGN_PUBLIC: PublicSigningKey = {
  use: 'signing',
  kid: 'test-sm2-sign',
  alg: 'SM2-SM3',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAECfnfMR5UIaFQ3X0WHkvFxnIXn60Y
M/wHa7CP81bzUCDM6kkM4md1pS3G6nGMwapgCu0F+/NeCEpmMvYHLamtEw==
-----END PUBLIC KEY-----
`,
};

export const SM2_SIGN_PRIVATE: PrivateSigningKey = {
  kid: 'test-sm2-sign',
  alg: 'SM2-SM3',
  privateKey: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgOUUgj3shRLE/NuOK
xtOflYiTk2koYLUaQvuB7033xbihRANCAAQJ+d8xHlQhoVDdfRYeS8XGchefrRgz
/AdrsI/zVvNQIMzqSQziZ3WlLcbqcYzBqmAK7QX7814ISmYy9gctqa0T
-----END PRIVATE KEY-----
`,
};

/** Test SM2 encryption key `test-sm2-enc` (PII blocks `SM2+SM4-GCM`). */
export const SM2_ENC_PUBLIC: PublicEncryptionKey = {
  use: 'encryption',
  kid: 'test-sm2-enc',
  alg: 'SM2',
  notBefore: TEST_EPOCH_MS,
  notAfter: null,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEQYsEhkp1//vWOGui0zt+DgFCV5lF
AnbDXpP5Y4DjVgxdpGNeje4YLlOhLDKw/BbvxVGHXB0kyc7xeB5IfsL7JQ==
-----END PUBLIC KEY-----
`,
};

export const SM2_ENC_PRIVATE: PrivateEncryptionKey = {
  kid: 'test-sm2-enc',
  alg: 'SM2',
  privateKey: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQghJ3Bv7782BXwEaLK
ScY9EqhC8szSfabnBIMyWXlObNGhRANCAARBiwSGSnX/+9Y4a6LTO34OAUJXmUUC
dsNek/ljgONWDF2kY16N7hguU6EsMrD8Fu/FUYdcHSTJzvF4Hkh+wvsl
-----END PRIVATE KEY-----
`,
};
