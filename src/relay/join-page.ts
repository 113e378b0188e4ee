/**
 * The guest page (`GET /join/<path>?token=…`): previews camera and microphone and publishes them with WHIP to
 * this relay, showing the connection state. Plain HTML and standard WebRTC, so it runs in current Chromium
 * and Firefox without a build step. The token leaves the address bar as soon as the page loads.
 */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] ?? c)

export function renderJoinPage(options: {path: string}): string {
  const path = escapeHtml(options.path)
  // JSON.stringify escapes quotes; the replace keeps `</script>` in a path from closing the script element.
  const pathJson = JSON.stringify(options.path).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Join ${path}</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
  main { max-width: 720px; margin: 0 auto; padding: 16px; }
  video { width: 100%; background: #000; border-radius: 8px; aspect-ratio: 16 / 9; }
  button { font-size: 1rem; padding: 0.6em 1.2em; margin-right: 8px; border-radius: 6px; border: 0; }
  #join { background: #2e7d32; color: #fff; } #leave { background: #c62828; color: #fff; }
  #state { margin-top: 12px; font-family: ui-monospace, monospace; }
  .bad { color: #ff8a80; } .good { color: #b9f6ca; }
</style>
</head>
<body>
<main>
  <h1>Join “${path}”</h1>
  <video id="preview" autoplay muted playsinline></video>
  <p>
    <button id="join" disabled>Join</button>
    <button id="leave" disabled>Leave</button>
  </p>
  <div id="state">Starting camera…</div>
</main>
<script>
(() => {
  const path = ${pathJson};
  const params = new URLSearchParams(location.search);
  const token = params.get('token') || '';
  if (params.has('token')) history.replaceState(null, '', location.pathname);
  const endpoint = '/whip/' + encodeURIComponent(path).replace(/%2F/g, '/');
  const auth = token ? { Authorization: 'Bearer ' + token } : {};
  const state = document.getElementById('state');
  const join = document.getElementById('join');
  const leave = document.getElementById('leave');
  let stream, pc, session;

  const show = (text, cls) => { state.textContent = text; state.className = cls || ''; };

  function parseLinks(header) {
    const servers = [];
    for (const part of (header || '').split(/,(?=\\s*<)/)) {
      const url = /<([^>]+)>/.exec(part);
      if (!url || !/rel="ice-server"/.test(part)) continue;
      const server = { urls: url[1] };
      const user = /username="([^"]*)"/.exec(part);
      const cred = /credential="([^"]*)"/.exec(part);
      if (user) server.username = user[1];
      if (cred) server.credential = cred[1];
      servers.push(server);
    }
    return servers;
  }

  async function start() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
      document.getElementById('preview').srcObject = stream;
      join.disabled = false;
      show('Camera ready. Press Join to go live.');
    } catch (e) {
      show('Camera or microphone unavailable: ' + e.message, 'bad');
    }
  }

  async function publish() {
    join.disabled = true;
    show('Connecting…');
    try {
      const options = await fetch(endpoint, { method: 'OPTIONS', headers: auth });
      if (options.status === 401) throw new Error('this link is not valid (token rejected)');
      pc = new RTCPeerConnection({ iceServers: parseLinks(options.headers.get('link')), bundlePolicy: 'max-bundle' });
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      pc.onconnectionstatechange = () => {
        const s = pc.connectionState;
        show('Connection: ' + s, s === 'connected' ? 'good' : s === 'failed' || s === 'disconnected' ? 'bad' : '');
        if (s === 'failed') { leave.disabled = true; join.disabled = false; }
      };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        const done = () => { if (pc.iceGatheringState === 'complete') resolve(); };
        pc.addEventListener('icegatheringstatechange', done);
        setTimeout(resolve, 2000);
      });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/sdp' },
        body: pc.localDescription.sdp,
      });
      if (response.status !== 201) {
        let detail = '';
        try { detail = (await response.json()).error; } catch (e) {}
        throw new Error('relay answered ' + response.status + (detail ? ': ' + detail : ''));
      }
      session = new URL(response.headers.get('location'), location.href).toString();
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      leave.disabled = false;
    } catch (e) {
      show('Could not join: ' + e.message, 'bad');
      if (pc) pc.close();
      join.disabled = false;
    }
  }

  async function stop() {
    leave.disabled = true;
    if (session) await fetch(session, { method: 'DELETE', headers: auth }).catch(() => {});
    if (pc) pc.close();
    session = undefined;
    join.disabled = false;
    show('Left. Press Join to go live again.');
  }

  join.addEventListener('click', publish);
  leave.addEventListener('click', stop);
  addEventListener('pagehide', () => { if (session) fetch(session, { method: 'DELETE', headers: auth, keepalive: true }); });
  start();
})();
</script>
</body>
</html>
`
}
