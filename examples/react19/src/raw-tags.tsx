// The raw tags, typed by video-consult/jsx: React 19 sets `token` and `iceServers` as properties
// and attaches the `onvc-…` listeners. (React 18 does neither: use video-consult/react there.)
import type {} from 'video-consult/jsx';
import 'video-consult/call';
import 'video-consult/check';

export function RawConsultation({ token, onState }: { token: string; onState: (state: string) => void }) {
  return (
    <>
      <video-consult-check server="wss://consult.example.org/signal" token={token} onvc-check-complete={(e) => console.log(e.detail.text)} />
      <video-consult
        server="wss://consult.example.org/signal"
        room="a1b2c3"
        consult-role="patient"
        token={token}
        display-name="Max Müller"
        max-file-size={10_000_000}
        onvc-state-change={(event) => onState(event.detail.state)}
      />
    </>
  );
}
