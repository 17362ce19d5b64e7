/** Entry: mounts the console. Pages load lazily (see App.tsx); recharts only with the pages that chart. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client';
import { App } from './App';
import './styles.css';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // Operational errors (4xx) will not fix themselves; a flaky network or a 5xx gets two more tries.
      retry: (count, err) => count < 2 && (!(err instanceof ApiError) || err.retriable),
      refetchOnWindowFocus: true,
      staleTime: 2000,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
