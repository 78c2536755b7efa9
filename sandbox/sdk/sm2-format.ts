/**
 * SM2 formats, dependency-free: the recommended curve sm2p256v1 (GB/T 32918.5-2017), SPKI and
 * PKCS#8 keys (id-ecPublicKey with the sm2p256v1 curve OID 1.2.156.10197.1.301, as OpenSSL,
 * BouncyCastle and GmSSL write them), the DER signature `SEQUENCE { r INTEGER, s INTEGER }`
 * (GM/T 0009-2012 SM2Signature) and the raw ciphertext layout C1 || C3 || C2. Every decoder here is
 * strict: one encoding per value, no trailing bytes, scalars and points range-checked.
 */
import { KeyObject } from 'node:crypto';

/** sm2p256v1 domain parameters (GB/T 32918.5-2017 §3; GM/T 0003.5-2012). */
export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

/** Bytes of a scalar or coordinate. */
export const SM2_FIELD_BYTES = 32;
/** An uncompressed point `04 || X || Y`. */
export const SM2_POINT_BYTES = 65;
/** C1 (65) + C3 (32): what an SM2 ciphertext adds to its plaintext. */
export const SM2_CIPHERTEXT_OVERHEAD = SM2_POINT_BYTES + 32;

// DER prefixes: SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID sm2p256v1 }, BIT STRING (65 bytes) }.
const EC_PUBLIC_KEY_OID = '06072a8648ce3d0201';
const SM2_CURVE_OID = '06082a811ccf5501822d';
const ALGORITHM_ID = `3013${EC_PUBLIC_KEY_OID}${SM2_CURVE_OID}`;
const SPKI_PREFIX = Buffer.from(`3059${ALGORITHM_ID}034200`, 'hex');

export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function fixedBytes(value: bigint, length = SM2_FIELD_BYTES): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError('value too large');
  return Buffer.from(hex, 'hex');
}

/** Whether `point` is an uncompressed point `04 || X || Y` on sm2p256v1 (the cofactor is 1). */
export function isSm2Point(point: Uint8Array): boolean {
  if (point.length !== SM2_POINT_BYTES || point[0] !== 0x04) return false;
  const { p, a, b } = SM2_CURVE;
  const x = toBigInt(point.subarray(1, 33));
  const y = toBigInt(point.subarray(33));
  if (x >= p || y >= p) return false;
  return (y * y - (x * x * x + a * x + b)) % p === 0n;
}

/** Whether a private scalar is in [1, n−2] (GB/T 32918.1 §6.1: (1 + d) must be invertible). */
export function isSm2PrivateScalar(d: Uint8Array): boolean {
  if (d.length !== SM2_FIELD_BYTES) return false;
  const value = toBigInt(d);
  return value >= 1n && value <= SM2_CURVE.n - 2n;
}

// --- a minimal strict DER reader --------------------------------------------------------------

interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  /** Offset just after this element. */
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length === 0x81) {
    length = der[offset + 2] ?? 0;
    if (length < 0x80) return undefined; // not minimal
    start += 1;
  } else if (length === 0x82) {
    length = ((der[offset + 2] ?? 0) << 8) | (der[offset + 3] ?? 0);
    if (length < 0x100) return undefined;
    start += 2;
  } else if (length >= 0x80) {
    return undefined; // indefinite or too long for anything here
  }
  const end = start + length;
  if (end > der.length) return undefined;
  return { tag, value: der.subarray(start, end), end };
}

/** The elements of a constructed value, which must be consumed exactly. */
function children(value: Uint8Array): Tlv[] | undefined {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < value.length) {
    const tlv = readTlv(value, offset);
    if (tlv === undefined) return undefined;
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

/** A whole DER document holding exactly one element. */
function single(der: Uint8Array, tag: number): Tlv | undefined {
  const tlv = readTlv(der, 0);
  return tlv !== undefined && tlv.tag === tag && tlv.end === der.length ? tlv : undefined;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

// --- PEM -------------------------------------------------------------------------------------

const PEM = /^-----BEGIN ([A-Z ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----\s*$/;

function pemBody(pem: string, label: string): Uint8Array | undefined {
  const match = PEM.exec(`${pem.trim()}\n`);
  if (match === null || match[1] !== label) return undefined;
  const b64 = match[2]!.replace(/\r?\n/g, '');
  const der = Buffer.from(b64, 'base64');
  return der.toString('base64') === b64 ? der : undefined;
}

function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// --- keys ------------------------------------------------------------------------------------

/** The point of an SM2 SPKI (DER), or `undefined` if it is not exactly one on sm2p256v1. */
export function sm2PointFromSpki(der: Uint8Array): Uint8Array | undefined {
  if (der.length !== SPKI_PREFIX.length + SM2_POINT_BYTES) return undefined;
  if (!Buffer.from(der.subarray(0, SPKI_PREFIX.length)).equals(SPKI_PREFIX)) return undefined;
  const point = der.subarray(SPKI_PREFIX.length);
  return isSm2Point(point) ? Uint8Array.from(point) : undefined;
}

/** The point of an SM2 public key PEM (SPKI, `BEGIN PUBLIC KEY`), or `undefined`. */
export function sm2PointFromPem(publicKeyPem: string): Uint8Array | undefined {
  const der = pemBody(publicKeyPem, 'PUBLIC KEY');
  return der === undefined ? undefined : sm2PointFromSpki(der);
}

export function sm2SpkiDer(point: Uint8Array): Uint8Array {
  if (!isSm2Point(point)) throw new TypeError('not a point on sm2p256v1');
  return Buffer.concat([SPKI_PREFIX, point]);
}

/** SPKI PEM of an SM2 public point. */
export function sm2PublicKeyPem(point: Uint8Array): string {
  return pem('PUBLIC KEY', sm2SpkiDer(point));
}

/** A parsed SM2 private key: the scalar, and the public point when the encoding carried one. */
export interface Sm2PrivateParts {
  readonly d: Uint8Array;
  readonly embeddedPoint: Uint8Array | undefined;
}

/**
 * Reads a PKCS#8 `PrivateKeyInfo` holding an SEC 1 `ECPrivateKey` on sm2p256v1 (the form OpenSSL,
 * Node, BouncyCastle and GmSSL write). The optional `[0]` parameters must name sm2p256v1; the
 * optional `[1]` public key must be a valid point (the caller checks it matches d).
 */
export function sm2PrivateFromPkcs8(der: Uint8Array): Sm2PrivateParts | undefined {
  const outer = single(der, 0x30);
  const top = outer && children(outer.value);
  if (top === undefined || top.length !== 3) return undefined;
  const [version, algorithm, key] = top as [Tlv, Tlv, Tlv];
  if (version.tag !== 0x02 || hex(version.value) !== '00') return undefined;
  if (algorithm.tag !== 0x30 || hex(algorithm.value) !== `${EC_PUBLIC_KEY_OID}${SM2_CURVE_OID}`)
    return undefined;
  if (key.tag !== 0x04) return undefined;
  const ecKey = single(key.value, 0x30);
  const fields = ecKey && children(ecKey.value);
  if (fields === undefined || fields.length < 2 || fields.length > 4) return undefined;
  const [ecVersion, scalar, ...optional] = fields as [Tlv, Tlv, ...Tlv[]];
  if (ecVersion.tag !== 0x02 || hex(ecVersion.value) !== '01') return undefined;
  if (scalar.tag !== 0x04 || !isSm2PrivateScalar(scalar.value)) return undefined;
  let embeddedPoint: Uint8Array | undefined;
  let lastTag = 0;
  for (const field of optional) {
    if (field.tag <= lastTag) return undefined; // [0] before [1], each at most once
    lastTag = field.tag;
    if (field.tag === 0xa0) {
      if (hex(field.value) !== SM2_CURVE_OID) return undefined;
    } else if (field.tag === 0xa1) {
      const bits = single(field.value, 0x03);
      if (bits === undefined || bits.value[0] !== 0x00) return undefined;
      const point = bits.value.subarray(1);
      if (!isSm2Point(point)) return undefined;
      embeddedPoint = Uint8Array.from(point);
    } else {
      return undefined;
    }
  }
  return { d: Uint8Array.from(scalar.value), embeddedPoint };
}

/** Reads an SM2 private key from a PKCS#8 PEM (`BEGIN PRIVATE KEY`) or a Node private KeyObject. */
export function sm2PrivateFrom(key: string | KeyObject): Sm2PrivateParts | undefined {
  if (key instanceof KeyObject) {
    if (key.type !== 'private') return undefined;
    try {
      return sm2PrivateFromPkcs8(key.export({ type: 'pkcs8', format: 'der' }));
    } catch {
      return undefined;
    }
  }
  const der = pemBody(key, 'PRIVATE KEY');
  return der === undefined ? undefined : sm2PrivateFromPkcs8(der);
}

/** PKCS#8 PEM of an SM2 key pair (with the public point, as OpenSSL writes it). */
export function sm2PrivateKeyPem(d: Uint8Array, point: Uint8Array): string {
  if (!isSm2PrivateScalar(d) || !isSm2Point(point)) throw new TypeError('not an SM2 key pair');
  const ecPrivateKey = Buffer.concat([
    Buffer.from('306b0201010420', 'hex'),
    d,
    Buffer.from('a144034200', 'hex'),
    point,
  ]);
  const info = Buffer.concat([Buffer.from(`308187020100${ALGORITHM_ID}046d`, 'hex'), ecPrivateKey]);
  return pem('PRIVATE KEY', info);
}

// --- signatures ------------------------------------------------------------------------------

function derInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const body = value.subarray(start);
  const padded = body[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : Buffer.from(body);
  return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
}

/** `r || s` (64 bytes) → DER `SEQUENCE { INTEGER r, INTEGER s }` (GM/T 0009-2012 SM2Signature). */
export function sm2SignatureToDer(rs: Uint8Array): Uint8Array {
  if (rs.length !== 2 * SM2_FIELD_BYTES) throw new TypeError('an SM2 signature r || s has 64 bytes');
  const body = Buffer.concat([derInteger(rs.subarray(0, 32)), derInteger(rs.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function strictPositive(tlv: Tlv): bigint | undefined {
  const v = tlv.value;
  if (tlv.tag !== 0x02 || v.length === 0 || v.length > SM2_FIELD_BYTES + 1) return undefined;
  if (v[0]! & 0x80) return undefined; // negative
  if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined; // not minimal
  return toBigInt(v);
}

/**
 * Strict DER SM2Signature → `r || s`, or `undefined` unless it is exactly one minimal SEQUENCE of two
 * INTEGERs with r, s in [1, n−1] (GB/T 32918.2 §7.1 B1–B2).
 */
export function sm2SignatureFromDer(der: Uint8Array): Uint8Array | undefined {
  const seq = single(der, 0x30);
  const ints = seq && children(seq.value);
  if (ints === undefined || ints.length !== 2) return undefined;
  const r = strictPositive(ints[0]!);
  const s = strictPositive(ints[1]!);
  const { n } = SM2_CURVE;
  if (r === undefined || s === undefined || r < 1n || r >= n || s < 1n || s >= n) return undefined;
  return Buffer.concat([fixedBytes(r), fixedBytes(s)]);
}
