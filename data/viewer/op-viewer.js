// Orthoplan patient simulation viewer: a small WebGL program of our own.
//
// It reads the case from #op-data (JSON) and the geometry from #op-geometry
// (gzip, base64; the format is described in io/op-export-html.c), decodes
// it with the browser's own DecompressionStream, and draws every tooth
// with its rigid transform at the chosen stage.  No network, no library.
//
// The page reports what it is doing in #op-status (data-state = loading,
// ready or error) so that tests, which cannot see a console, can read it
// with the browser's --dump-dom.  The URL fragment #stage=N&view=NAME&play=1
// chooses what is shown first.
'use strict';
(function () {
  const statusEl = document.getElementById('op-status');
  const messageEl = document.getElementById('op-message');

  function fail(text) {
    statusEl.dataset.state = 'error';
    statusEl.dataset.error = String(text);
    messageEl.textContent = 'This simulation cannot be shown here: ' + text;
    messageEl.hidden = false;
  }
  window.addEventListener('error', function (e) { fail(e.message || 'script error'); });
  window.addEventListener('unhandledrejection', function (e) {
    fail(e.reason && e.reason.message ? e.reason.message : String(e.reason));
  });

  // ---- small matrix helpers (column-major, like GL) ----
  function perspective(fovy, aspect, near, far) {
    const f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
    return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1,
                             0, 0, 2 * far * near * nf, 0]);
  }
  function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
  function cross(a, b) { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
  function norm(a) { const l = Math.hypot(a[0], a[1], a[2]) || 1; return [a[0] / l, a[1] / l, a[2] / l]; }
  function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
  function lookAt(eye, target, up) {
    const f = norm(sub(target, eye)), s = norm(cross(f, up)), u = cross(s, f);
    return new Float32Array([s[0], u[0], -f[0], 0, s[1], u[1], -f[1], 0, s[2], u[2], -f[2], 0,
                             -dot(s, eye), -dot(u, eye), dot(f, eye), 1]);
  }
  function mul(a, b) {
    const o = new Float32Array(16);
    for (let c = 0; c < 4; c++)
      for (let r = 0; r < 4; r++)
        o[c * 4 + r] = a[r] * b[c * 4] + a[4 + r] * b[c * 4 + 1] + a[8 + r] * b[c * 4 + 2] + a[12 + r] * b[c * 4 + 3];
    return o;
  }

  // ---- decoding ----
  async function inflate(b64) {
    if (typeof DecompressionStream === 'undefined')
      throw new Error('this browser is too old (it cannot decompress); open the file in a current ' +
                      'Chrome, Edge, Firefox or Safari');
    let bin;
    try {
      bin = atob(b64.trim());
    } catch (e) {
      throw new Error('the geometry is damaged (not base64); export the file again');
    }
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++)
      bytes[i] = bin.charCodeAt(i);
    try {
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) {
      throw new Error('the geometry is damaged (' + (e && e.message ? e.message : e) +
                      '); export the file again');
    }
  }

  function decodeMesh(blob, m, idxStart) {
    const pos = new Float32Array(3 * m.nv);
    let p = m.pos;
    const prev = [0, 0, 0];
    for (let v = 0; v < m.nv; v++)
      for (let a = 0; a < 3; a++) {
        const z = blob[p] | (blob[p + 1] << 8);
        p += 2;
        const q = (prev[a] + ((z >>> 1) ^ -(z & 1))) & 0xffff;
        prev[a] = q;
        pos[3 * v + a] = m.min[a] + q * m.step[a];
      }
    const n = 3 * m.nt;
    const idx = m.nv < 65536 ? new Uint16Array(n) : new Uint32Array(n);
    let last = 0;
    p = idxStart;
    for (let i = 0; i < n; i++) {
      let z = 0, scale = 1, b;
      do {
        b = blob[p++];
        z += (b & 0x7f) * scale;
        scale *= 128;
      } while (b & 0x80);
      last += (z % 2) ? -(z + 1) / 2 : z / 2;
      if (last < 0 || last >= m.nv)
        throw new Error('the geometry is damaged (index ' + last + ' of ' + m.nv + ')');
      idx[i] = last;
    }
    // Smooth normals, weighted by triangle area, so the file need not
    // carry them.
    const nrm = new Float32Array(3 * m.nv);
    for (let t = 0; t < n; t += 3) {
      const a = idx[t] * 3, b2 = idx[t + 1] * 3, c = idx[t + 2] * 3;
      const e1 = [pos[b2] - pos[a], pos[b2 + 1] - pos[a + 1], pos[b2 + 2] - pos[a + 2]];
      const e2 = [pos[c] - pos[a], pos[c + 1] - pos[a + 1], pos[c + 2] - pos[a + 2]];
      const fn = cross(e1, e2);
      for (const k of [a, b2, c]) {
        nrm[k] += fn[0]; nrm[k + 1] += fn[1]; nrm[k + 2] += fn[2];
      }
    }
    // A vertex whose triangles cancel out (a fold, a sliver) still needs
    // some normal: a zero one would shade as a black speck.
    for (let k = 0; k < nrm.length; k += 3)
      if (nrm[k] === 0 && nrm[k + 1] === 0 && nrm[k + 2] === 0)
        nrm[k + 2] = 1;
    return { pos: pos, idx: idx, nrm: nrm };
  }

  // ---- WebGL ----
  const VS = 'attribute vec3 a_pos; attribute vec3 a_nrm;\n' +
    'uniform mat4 u_model; uniform mat4 u_view; uniform mat4 u_proj;\n' +
    'varying vec3 v_nrm; varying vec3 v_eye;\n' +
    'void main () {\n' +
    '  vec4 e = u_view * (u_model * vec4 (a_pos, 1.0));\n' +
    '  v_eye = e.xyz;\n' +
    '  v_nrm = (u_view * (u_model * vec4 (a_nrm, 0.0))).xyz;\n' +
    '  gl_Position = u_proj * e;\n' +
    '}\n';
  // Two lights fixed to the camera, a soft wrap for the translucent look
  // of enamel, a Blinn-Phong highlight.  The colours are the app's enamel
  // and gingiva (data/shaders/mesh.frag).
  const FS = '#ifdef GL_FRAGMENT_PRECISION_HIGH\nprecision highp float;\n#else\nprecision mediump float;\n#endif\n' +
    'uniform vec3 u_color; uniform float u_spec; uniform float u_shine; uniform float u_wrap;\n' +
    'varying vec3 v_nrm; varying vec3 v_eye;\n' +
    'void main () {\n' +
    '  vec3 n = normalize (v_nrm);\n' +
    '  if (!gl_FrontFacing) n = -n;\n' +
    '  vec3 v = normalize (-v_eye);\n' +
    '  vec3 l1 = normalize (vec3 (0.35, 0.55, 1.0));\n' +
    '  vec3 l2 = normalize (vec3 (-0.7, -0.25, 0.5));\n' +
    '  float d1 = max ((dot (n, l1) + u_wrap) / (1.0 + u_wrap), 0.0);\n' +
    '  float d2 = max ((dot (n, l2) + u_wrap) / (1.0 + u_wrap), 0.0);\n' +
    '  float s = u_spec * pow (max (dot (n, normalize (l1 + v)), 0.0), u_shine);\n' +
    '  vec3 c = u_color * (0.22 + 0.62 * d1 + 0.28 * d2) + vec3 (s);\n' +
    '  gl_FragColor = vec4 (min (c, vec3 (1.0)), 1.0);\n' +
    '}\n';

  function compile(gl, type, src) {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
      throw new Error('shader: ' + gl.getShaderInfoLog(s));
    return s;
  }

  const VIEWS = {
    front: { yaw: 0, pitch: 0, upper: true, lower: true },
    left: { yaw: 90, pitch: 0, upper: true, lower: true },
    right: { yaw: -90, pitch: 0, upper: true, lower: true },
    upper: { yaw: 0, pitch: -89.5, upper: true, lower: false },
    lower: { yaw: 180, pitch: 89.5, upper: false, lower: true },
  };

  async function main() {
    const data = JSON.parse(document.getElementById('op-data').textContent);
    const canvas = document.getElementById('op-canvas');
    const slider = document.getElementById('op-slider');
    const label = document.getElementById('op-stage-label');
    const playBtn = document.getElementById('op-play');
    const beforeBtn = document.getElementById('op-before');
    const afterBtn = document.getElementById('op-after');
    const upperBtn = document.getElementById('op-upper');
    const lowerBtn = document.getElementById('op-lower');
    const last = data.stages - 1;

    // Who and what, as text only: names never become markup.
    document.getElementById('op-practice').textContent = data.practice;
    document.getElementById('op-patient').textContent =
      data.patient ? data.patient + '’s new smile' : 'Your new smile';
    if (data.logo) {
      const img = document.getElementById('op-logo');
      img.src = data.logo;
      img.alt = data.practice;
      img.hidden = false;
    }
    const weeks = Math.round(data.days / 7), months = Math.round(data.days / 30.44);
    document.getElementById('op-facts').textContent =
      data.aligners + (data.aligners === 1 ? ' aligner' : ' aligners') + ' · about ' + weeks +
      ' weeks (' + months + (months === 1 ? ' month' : ' months') + '), one aligner every ' +
      data.intervalDays + ' days';

    const gl = canvas.getContext('webgl2', { antialias: true, preserveDrawingBuffer: true }) ||
               canvas.getContext('webgl', { antialias: true, preserveDrawingBuffer: true });
    if (!gl)
      throw new Error('this browser or device has WebGL turned off');
    const webgl2 = typeof WebGL2RenderingContext !== 'undefined' && gl instanceof WebGL2RenderingContext;
    const uint32 = webgl2 || gl.getExtension('OES_element_index_uint');

    const prog = gl.createProgram();
    gl.attachShader(prog, compile(gl, gl.VERTEX_SHADER, VS));
    gl.attachShader(prog, compile(gl, gl.FRAGMENT_SHADER, FS));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS))
      throw new Error('shader link: ' + gl.getProgramInfoLog(prog));
    const loc = {};
    for (const n of ['u_model', 'u_view', 'u_proj', 'u_color', 'u_spec', 'u_shine', 'u_wrap'])
      loc[n] = gl.getUniformLocation(prog, n);
    const aPos = gl.getAttribLocation(prog, 'a_pos'), aNrm = gl.getAttribLocation(prog, 'a_nrm');

    const blob = await inflate(document.getElementById('op-geometry').textContent);
    if (blob.length !== data.blobSize)
      throw new Error('the geometry is damaged (' + blob.length + ' bytes, expected ' + data.blobSize + ')');

    const meshes = [];
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    data.meshes.forEach(function (m, i) {
      const d = decodeMesh(blob, m, data.idx[i]);
      if (d.idx instanceof Uint32Array && !uint32)
        throw new Error('this device cannot draw a mesh this large');
      const vb = gl.createBuffer(), nb = gl.createBuffer(), ib = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, vb);
      gl.bufferData(gl.ARRAY_BUFFER, d.pos, gl.STATIC_DRAW);
      gl.bindBuffer(gl.ARRAY_BUFFER, nb);
      gl.bufferData(gl.ARRAY_BUFFER, d.nrm, gl.STATIC_DRAW);
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, ib);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, d.idx, gl.STATIC_DRAW);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a], m.min[a]);
        hi[a] = Math.max(hi[a], m.min[a] + 65535 * m.step[a]);
      }
      meshes.push({ info: m, vb: vb, nb: nb, ib: ib, count: d.idx.length, pos: d.pos,
                    type: d.idx instanceof Uint32Array ? gl.UNSIGNED_INT : gl.UNSIGNED_SHORT });
    });

    const centre = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
    const half = [(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, (hi[2] - lo[2]) / 2];
    const fovy = 30 * Math.PI / 180;
    const state = { stage: 0, yaw: 0, pitch: 0, zoom: 1, playing: false, upper: true, lower: true,
                    view: 'front', fit: 100 };

    // The transform of plan tooth t at a fractional stage: the stored
    // stages are close together, so blending the matrices of the two
    // neighbours is visually exact.
    function toothMatrix(t, stage) {
      const s0 = Math.floor(stage), s1 = Math.min(s0 + 1, last), f = stage - s0;
      const A = data.transforms[s0], B = data.transforms[s1], o = 12 * t;
      const m = new Float32Array(16);
      const k = [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14];
      for (let i = 0; i < 12; i++)
        m[k[i]] = A[o + i] * (1 - f) + B[o + i] * f;
      m[15] = 1;
      return m;
    }
    const IDENTITY = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

    function camera(width, height) {
      const yaw = state.yaw * Math.PI / 180, pitch = state.pitch * Math.PI / 180;
      const dist = state.fit / state.zoom;
      const eye = [centre[0] + dist * Math.sin(yaw) * Math.cos(pitch),
                   centre[1] - dist * Math.cos(yaw) * Math.cos(pitch),
                   centre[2] + dist * Math.sin(pitch)];
      return { view: lookAt(eye, centre, [0, 0, 1]),
               proj: perspective(fovy, width / height, dist * 0.05, dist * 4 + 500) };
    }

    // The distance at which the box of the dentition fills the picture
    // from the current direction, with a small margin.  Measured once per
    // view, not per frame, so that turning does not pump the zoom.
    function fit() {
      const yaw = state.yaw * Math.PI / 180, pitch = state.pitch * Math.PI / 180;
      const fwd = [-Math.sin(yaw) * Math.cos(pitch), Math.cos(yaw) * Math.cos(pitch), -Math.sin(pitch)];
      const right = norm(cross(fwd, [0, 0, 1])), upv = cross(right, fwd);
      const ext = function (v) {
        return Math.abs(v[0]) * half[0] + Math.abs(v[1]) * half[1] + Math.abs(v[2]) * half[2];
      };
      const aspect = Math.max(0.1, canvas.clientWidth / Math.max(1, canvas.clientHeight));
      const tv = Math.tan(fovy / 2), th = tv * aspect;
      state.fit = (Math.max(ext(right) / th, ext(upv) / tv) + ext(fwd)) * 1.08;
    }

    function visible(m) { return m.info.upper ? state.upper : state.lower; }

    function draw() {
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(canvas.clientWidth * dpr)), h = Math.max(1, Math.round(canvas.clientHeight * dpr));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      gl.viewport(0, 0, w, h);
      gl.clearColor(0.933, 0.945, 0.961, 1);
      gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
      gl.enable(gl.DEPTH_TEST);
      gl.useProgram(prog);
      const cam = camera(w, h);
      gl.uniformMatrix4fv(loc.u_view, false, cam.view);
      gl.uniformMatrix4fv(loc.u_proj, false, cam.proj);
      gl.enableVertexAttribArray(aPos);
      gl.enableVertexAttribArray(aNrm);
      for (const m of meshes) {
        if (!visible(m))
          continue;
        const tooth = m.info.tooth >= 0;
        gl.uniformMatrix4fv(loc.u_model, false, tooth ? toothMatrix(m.info.tooth, state.stage) : IDENTITY);
        if (tooth) {
          gl.uniform3f(loc.u_color, 0.93, 0.90, 0.82);
          gl.uniform1f(loc.u_spec, 0.35); gl.uniform1f(loc.u_shine, 60); gl.uniform1f(loc.u_wrap, 0.35);
        } else {
          gl.uniform3f(loc.u_color, 0.82, 0.42, 0.45);
          gl.uniform1f(loc.u_spec, 0.06); gl.uniform1f(loc.u_shine, 14); gl.uniform1f(loc.u_wrap, 0.55);
        }
        gl.bindBuffer(gl.ARRAY_BUFFER, m.vb);
        gl.vertexAttribPointer(aPos, 3, gl.FLOAT, false, 0, 0);
        gl.bindBuffer(gl.ARRAY_BUFFER, m.nb);
        gl.vertexAttribPointer(aNrm, 3, gl.FLOAT, false, 0, 0);
        gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, m.ib);
        gl.drawElements(gl.TRIANGLES, m.count, m.type, 0);
      }
      return cam;
    }

    // Where each tooth lands on the page, in CSS pixels, for tests that
    // compare pictures only where teeth are.
    function screenBoxes(cam) {
      const r = canvas.getBoundingClientRect();
      const vp = mul(cam.proj, cam.view);
      const boxes = {};
      for (const m of meshes) {
        if (m.info.tooth < 0 || !visible(m))
          continue;
        const mvp = mul(vp, toothMatrix(m.info.tooth, state.stage));
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        for (let v = 0; v < m.pos.length; v += 3) {
          const x = m.pos[v], y = m.pos[v + 1], z = m.pos[v + 2];
          const cw = mvp[3] * x + mvp[7] * y + mvp[11] * z + mvp[15];
          const sx = (mvp[0] * x + mvp[4] * y + mvp[8] * z + mvp[12]) / cw;
          const sy = (mvp[1] * x + mvp[5] * y + mvp[9] * z + mvp[13]) / cw;
          x0 = Math.min(x0, sx); x1 = Math.max(x1, sx); y0 = Math.min(y0, sy); y1 = Math.max(y1, sy);
        }
        boxes[m.info.fdi] = [r.left + (x0 + 1) / 2 * r.width, r.top + (1 - y1) / 2 * r.height,
                             r.left + (x1 + 1) / 2 * r.width, r.top + (1 - y0) / 2 * r.height].map(Math.round);
      }
      return boxes;
    }

    let pending = false, lastTime = 0;
    function frame(time) {
      pending = false;
      if (state.playing) {
        const dt = lastTime ? Math.min(0.1, (time - lastTime) / 1000) : 0;
        lastTime = time;
        // Four aligners a second: a typical plan plays in under ten seconds.
        state.stage = Math.min(last, state.stage + 4 * dt);
        if (state.stage >= last)
          setPlaying(false);
      }
      const cam = draw();
      updateControls();
      const r = canvas.getBoundingClientRect();
      statusEl.dataset.stage = String(Math.round(state.stage));
      statusEl.dataset.view = state.view;
      statusEl.dataset.webgl = webgl2 ? '2' : '1';
      statusEl.dataset.viewport = window.innerWidth + 'x' + window.innerHeight;
      statusEl.dataset.canvas = [r.left, r.top, r.right, r.bottom].map(Math.round).join(',');
      statusEl.dataset.boxes = JSON.stringify(screenBoxes(cam));
      statusEl.dataset.state = statusEl.dataset.state === 'error' ? 'error' : 'ready';
      if (state.playing)
        request();
    }
    function request() {
      if (!pending) {
        pending = true;
        requestAnimationFrame(frame);
      }
    }

    function updateControls() {
      const s = Math.round(state.stage);
      slider.max = String(last);
      slider.value = String(s);
      label.textContent = s === 0 ? 'Today (before aligner 1)'
                                  : 'Aligner ' + s + ' of ' + last;
      beforeBtn.setAttribute('aria-pressed', String(s === 0));
      afterBtn.setAttribute('aria-pressed', String(s === last));
      upperBtn.setAttribute('aria-pressed', String(state.upper));
      lowerBtn.setAttribute('aria-pressed', String(state.lower));
      playBtn.textContent = state.playing ? '❚❚ Pause' : '▶ Play';
      playBtn.setAttribute('aria-pressed', String(state.playing));
    }
    function setStage(s) {
      state.stage = Math.max(0, Math.min(last, s));
      request();
    }
    function setPlaying(on) {
      state.playing = on;
      lastTime = 0;
      if (on && state.stage >= last)
        state.stage = 0;
      updateControls();
      request();
    }
    function setView(name) {
      const v = VIEWS[name];
      if (!v)
        return;
      state.view = name;
      state.yaw = v.yaw;
      state.pitch = v.pitch;
      state.upper = v.upper;
      state.lower = v.lower;
      state.zoom = 1;
      fit();
      request();
    }

    slider.addEventListener('input', function () {
      setPlaying(false);
      setStage(Number(slider.value));
    });
    playBtn.addEventListener('click', function () { setPlaying(!state.playing); });
    beforeBtn.addEventListener('click', function () { setPlaying(false); setStage(0); });
    afterBtn.addEventListener('click', function () { setPlaying(false); setStage(last); });
    upperBtn.addEventListener('click', function () {
      state.upper = !state.upper || !state.lower;
      request();
    });
    lowerBtn.addEventListener('click', function () {
      state.lower = !state.lower || !state.upper;
      request();
    });

    // Turning and zooming with any pointer: one finger or the mouse turns,
    // two fingers pinch, the wheel zooms.
    const pointers = new Map();
    let pinch = 0;
    canvas.addEventListener('pointerdown', function (e) {
      canvas.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      pinch = 0;
    });
    canvas.addEventListener('pointermove', function (e) {
      const p = pointers.get(e.pointerId);
      if (!p)
        return;
      if (pointers.size === 1) {
        state.yaw -= (e.clientX - p[0]) * 0.4;
        state.pitch = Math.max(-89.5, Math.min(89.5, state.pitch + (e.clientY - p[1]) * 0.4));
      }
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      if (pointers.size === 2) {
        const [a, b] = Array.from(pointers.values());
        const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (pinch > 0)
          state.zoom = Math.max(0.3, Math.min(8, state.zoom * d / pinch));
        pinch = d;
      }
      request();
    });
    function up(e) {
      pointers.delete(e.pointerId);
      pinch = 0;
    }
    canvas.addEventListener('pointerup', up);
    canvas.addEventListener('pointercancel', up);
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      state.zoom = Math.max(0.3, Math.min(8, state.zoom * Math.exp(-e.deltaY * 0.0015)));
      request();
    }, { passive: false });
    canvas.addEventListener('dblclick', function () { setView(state.view); });
    window.addEventListener('resize', function () { fit(); request(); });
    window.addEventListener('keydown', function (e) {
      if (e.key === ' ') { setPlaying(!state.playing); e.preventDefault(); }
      else if (e.key === 'ArrowLeft') setStage(Math.round(state.stage) - 1);
      else if (e.key === 'ArrowRight') setStage(Math.round(state.stage) + 1);
    });

    function applyFragment() {
      const params = new URLSearchParams(location.hash.replace(/^#/, ''));
      setView(params.get('view') || state.view);
      if (params.has('zoom'))
        state.zoom = Math.max(0.3, Math.min(8, parseFloat(params.get('zoom')) || 1));
      if (params.has('stage'))
        setStage(parseInt(params.get('stage'), 10) || 0);
      if (params.get('play') === '1')
        setPlaying(true);
    }
    window.addEventListener('hashchange', applyFragment);

    messageEl.hidden = true;
    applyFragment();
    request();
  }

  main().catch(function (e) { fail(e && e.message ? e.message : String(e)); });
})();
