import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { I18nProvider } from './i18n/context.tsx';
import { JourneyProvider } from './state/journey.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <JourneyProvider>
        <App />
      </JourneyProvider>
    </I18nProvider>
  </StrictMode>,
);
