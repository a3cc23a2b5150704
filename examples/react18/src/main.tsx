import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { VideoConsult } from 'video-consult/react';
import 'video-consult/files';

const query = new URLSearchParams(location.search);

/** The patient's page of a clinic portal in React 18: one call, its state shown next to it. */
function Consultation() {
  const [state, setState] = useState('idle');
  const [peer, setPeer] = useState('');
  return (
    <main>
      <h1>Your consultation</h1>
      <p>
        State: <output id="state">{state}</output>, with <output id="peer">{peer}</output>
      </p>
      <VideoConsult
        server={query.get('server') ?? ''}
        room={query.get('room') ?? ''}
        consultRole={query.get('role') === 'doctor' ? 'doctor' : 'patient'}
        token={query.get('token') ?? ''}
        displayName={query.get('name') ?? ''}
        autoJoin
        onVcStateChange={(event) => setState(event.detail.state)}
        onVcPeerName={(event) => setPeer(event.detail.name)}
        style={{ height: '480px' }}
      />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Consultation />
  </StrictMode>,
);
