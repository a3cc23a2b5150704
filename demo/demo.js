// The trial-call page: the doctor starts a room and gets a link for the patient.
// Kept free of inline script so that it runs under a strict Content-Security-Policy.
const params = new URLSearchParams(location.search);
const room = params.get('room');
const role = params.get('role') === 'doctor' ? 'doctor' : 'patient';
const signalUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;

const $ = (id) => document.getElementById(id);

function randomRoom() {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 16);
}

if (!room) {
  $('start').hidden = false;
  $('start-doctor').addEventListener('click', () => {
    location.search = new URLSearchParams({ room: randomRoom(), role: 'doctor' }).toString();
  });
} else {
  const consult = $('consult');
  consult.server = signalUrl;
  consult.room = room;
  consult.consultRole = role;
  $('call').hidden = false;
  $('role-line').textContent = role === 'doctor' ? 'You are the doctor.' : 'You are the patient.';
  if (role === 'doctor') {
    const link = new URL(location.href);
    link.search = new URLSearchParams({ room, role: 'patient' }).toString();
    $('patient-link').value = link.href;
    $('invite').hidden = false;
    $('copy-link').addEventListener('click', async () => {
      await navigator.clipboard?.writeText(link.href).catch(() => {});
      $('patient-link').select();
    });
  }
  consult.addEventListener('vc-state-change', (event) => {
    $('log').textContent = `State: ${event.detail.state}`;
    // When a call cannot connect, the pre-call check finds out why.
    const unreachable = ['connection-failed', 'signaling-unreachable'].includes(event.detail.code);
    $('offer-check').hidden = !(event.detail.state === 'failed' && unreachable);
  });
}
