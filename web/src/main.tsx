import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { adoptFragmentToken } from './auth/token-store.ts';
import './styles/base.css';
import './styles/layout.css';
import './styles/filters.css';
import './styles/event-table.css';
import './styles/detail.css';
import './styles/auth.css';
import './styles/destinations.css';

// Embed mode: a host platform opens /audit#token=<viewer token>. Take it before anything renders.
adoptFragmentToken();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
