// The "test your setup" page: the pre-call check against this server.
const check = document.getElementById('check');
check.server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
void check.run();
