// GET /v1/whip/publish.html: a browser camera as a WHIP publisher. Plain HTML and inline JS, no build
// step. Query parameters prefill the form: ?camera=ID&codec=VP8|H264&token=T&autostart=1.
// window.whipState exposes what the page is doing (tests and curious users read it).
export const publishPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tsn-stream: publish a camera (WHIP)</title>
<style>
  body { font: 15px system-ui, sans-serif; margin: 2em; max-width: 44em; }
  label { display: block; margin: .4em 0; }
  input, select { margin-left: .5em; }
  #status { font-family: monospace; }
  video { background: #222; margin-top: 1em; }
</style>
</head>
<body>
<h1>Publish a camera over WebRTC (WHIP)</h1>
<p>The camera must exist with <code>"url": "whip://"</code> (POST /v1/cameras). Its frames then go through
the same recognition pipeline as an RTSP camera's.</p>
<label>Camera id <input id="camera" value="cam1" pattern="[A-Za-z0-9_-]{1,64}"></label>
<label>Bearer token (if the API needs one) <input id="token" type="password" autocomplete="off"></label>
<label>Codec <select id="codec"><option value="">browser default</option><option>VP8</option><option>H264</option></select></label>
<label><input id="replace" type="checkbox"> replace a publisher already on this camera</label>
<button id="start">Start</button> <button id="stop" disabled>Stop</button>
<p>Status: <span id="status">idle</span></p>
<video id="preview" autoplay muted playsinline width="320"></video>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const state = (window.whipState = { state: 'idle', error: null, location: null, connection: 'new' });
  let pc = null;
  let stream = null;
  const show = (s, extra) => {
    Object.assign(state, { state: s }, extra || {});
    $('status').textContent = s + (state.error ? ': ' + state.error : '') + ' (connection ' + state.connection + ')';
    $('start').disabled = s === 'starting' || s === 'publishing';
    $('stop').disabled = !(s === 'starting' || s === 'publishing');
  };
  const authHeaders = () => {
    const token = $('token').value.trim();
    return token ? { Authorization: 'Bearer ' + token } : {};
  };
  const gathered = (timeoutMs) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
  const preferCodec = (transceiver, codec) => {
    if (!codec || !transceiver.setCodecPreferences) return;
    const all = RTCRtpSender.getCapabilities('video').codecs;
    const wanted = all.filter((c) => c.mimeType.toLowerCase() === 'video/' + codec.toLowerCase() &&
      (codec !== 'H264' || /packetization-mode=1/.test(c.sdpFmtpLine || '')));
    if (wanted.length) transceiver.setCodecPreferences(wanted);
  };
  async function start() {
    const camera = $('camera').value.trim();
    show('starting', { error: null, location: null });
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      $('preview').srcObject = stream;
      pc = new RTCPeerConnection();
      pc.addEventListener('connectionstatechange', () => show(state.state, { connection: pc.connectionState }));
      const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
      preferCodec(transceiver, $('codec').value);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(3000);
      const query = $('replace').checked ? '?replace=1' : '';
      const res = await fetch('/v1/whip/' + encodeURIComponent(camera) + query, {
        method: 'POST',
        headers: Object.assign({ 'Content-Type': 'application/sdp' }, authHeaders()),
        body: pc.localDescription.sdp,
      });
      const body = await res.text();
      if (res.status !== 201) {
        let message = body;
        try { message = JSON.parse(body).error.message; } catch (e) { /* not JSON */ }
        throw new Error('HTTP ' + res.status + ': ' + message);
      }
      state.location = new URL(res.headers.get('Location'), window.location.href).href;
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      show('publishing');
    } catch (error) {
      release();
      show('error', { error: String(error && error.message || error) });
    }
  }
  function release() {
    if (pc) pc.close();
    pc = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }
  async function stop() {
    const location = state.location;
    release();
    if (location) await fetch(location, { method: 'DELETE', headers: authHeaders() }).catch(() => undefined);
    show('stopped', { location: null, connection: 'closed' });
  }
  $('start').addEventListener('click', start);
  $('stop').addEventListener('click', stop);
  const params = new URLSearchParams(window.location.search);
  for (const key of ['camera', 'token', 'codec']) if (params.has(key)) $(key).value = params.get(key);
  if (params.get('replace') === '1') $('replace').checked = true;
  if (params.get('autostart') === '1') start();
})();
</script>
</body>
</html>
`;
