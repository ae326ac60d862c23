// slacktest's web UI: a Slack-like client for the fake workspace. Plain DOM, no framework.
// Text from messages is never parsed as HTML: every node is built with textContent.
'use strict';
(function () {
  // Emoji as symbols that common text fonts have (a machine without an emoji font shows them too),
  // each with a colour: [symbol, colour].
  const EMOJI = {
    warning: ['⚠', '#c98a00'], white_check_mark: ['✔', '#2eb67d'], heavy_check_mark: ['✔', '#2eb67d'],
    no_entry: ['✖', '#e01e5a'], no_entry_sign: ['✖', '#e01e5a'], x: ['✖', '#e01e5a'], stop_sign: ['✖', '#e01e5a'],
    hourglass: ['◔', '#616061'], hourglass_flowing_sand: ['◔', '#616061'], clock1: ['◔', '#616061'],
    zap: ['⚡', '#c98a00'], raised_hand: ['✋', '#c98a00'], scissors: ['✂', '#616061'], eyes: ['◉', '#616061'], double_vertical_bar: ['⏸', '#616061'],
    leftwards_arrow_with_hook: ['↩', '#1264a3'], gear: ['⚙', '#616061'], repeat: ['⟳', '#1264a3'],
    information_source: ['ℹ', '#1264a3'], inbox_tray: ['⇩', '#1264a3'], checkered_flag: ['⚑', '#1d1c1d'],
    arrow_right: ['→', ''], arrow_left: ['←', ''], red_circle: ['●', '#e01e5a'], large_green_circle: ['●', '#2eb67d'],
    thumbsup: ['+1', ''], '+1': ['+1', ''], memo: ['✎', ''], mag: ['⌕', ''], lock: ['⚿', ''], tada: ['✨', '#c98a00'],
  };
  const COLLAPSE = 12; // panel tables longer than this start collapsed

  const ui = {
    state: null,
    stateText: '',
    me: localStorage.getItem('slacktest.me') || '',
    channel: localStorage.getItem('slacktest.channel') || '',
    thread: null, // {channel, ts}
    seen: {}, // channel → messages seen there
    expanded: new Set(), // panel sections shown in full
    panelText: {}, // last answer per panel part, to skip unchanged renders
    viewKey: '', // the modal on screen
    nodes: new Map(), // rendered nodes by key, with what they show
  };

  // h builds an element; children that are strings become text nodes.
  function h(tag, props, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'dataset') Object.assign(n.dataset, v);
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of kids.flat()) if (c != null && c !== false) n.append(c);
    return n;
  }
  const $ = (sel) => document.querySelector(sel);

  // ---- mrkdwn ----

  function decode(s) {
    return s.replace(/&(lt|gt|amp);/g, (_, e) => ({ lt: '<', gt: '>', amp: '&' })[e]);
  }
  function emojify(s) {
    return s.replace(/:([a-z0-9_+-]+):/g, (all, name) => (EMOJI[name] ? EMOJI[name][0] : all));
  }
  function emoji(name) {
    const [symbol, colour] = EMOJI[name];
    return h('span', { class: 'emoji', title: ':' + name + ':', style: colour ? 'color:' + colour : null }, symbol);
  }
  function userName(id) {
    const u = ui.state && ui.state.users.find((x) => x.id === id);
    return u ? u.name : id;
  }
  function channelName(id) {
    const c = ui.state && ui.state.channels.find((x) => x.id === id);
    return c ? c.name || id : id;
  }

  // mrkdwn renders Slack's mrkdwn: ```pre```, `code`, *bold*, _italic_, ~strike~, :emoji:,
  // <@U…> mentions, <#C…> channels, <!here>, <!date^…|fallback>, <url|label>; &lt; &gt; &amp;
  // show as < > &.
  function mrkdwn(text) {
    const frag = document.createDocumentFragment();
    const parts = text.split('```');
    parts.forEach((p, i) => {
      if (i % 2 === 1 && i < parts.length - 1) frag.append(h('pre', { class: 'pre' }, decode(p.replace(/^\n/, ''))));
      else frag.append(inline(i % 2 === 1 ? '```' + p : p));
    });
    return frag;
  }

  const INLINE = /`([^`\n]+)`|<([^<>\n]+)>|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|:([a-z0-9_+-]+):/g;

  function inline(text) {
    const frag = document.createDocumentFragment();
    const re = new RegExp(INLINE.source, 'g');
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      const start = m.index;
      const end = re.lastIndex;
      const styled = m[3] !== undefined || m[4] !== undefined || m[5] !== undefined;
      if ((styled && !boundary(text, start, end)) || (m[6] !== undefined && !EMOJI[m[6]])) {
        re.lastIndex = start + 1;
        continue;
      }
      let node;
      if (m[1] !== undefined) node = h('code', null, decode(m[1]));
      else if (m[2] !== undefined) node = special(m[2]);
      else if (m[3] !== undefined) node = h('b', null, inline(m[3]));
      else if (m[4] !== undefined) node = h('i', null, inline(m[4]));
      else if (m[5] !== undefined) node = h('s', null, inline(m[5]));
      else node = emoji(m[6]);
      frag.append(decode(text.slice(last, start)), node);
      last = end;
    }
    frag.append(decode(text.slice(last)));
    return frag;
  }

  // boundary: *bold* and friends need a non-word character (or nothing) on both sides.
  function boundary(t, start, end) {
    const word = /[A-Za-z0-9]/;
    return !(start > 0 && word.test(t[start - 1])) && !(end < t.length && word.test(t[end]));
  }

  function special(tok) {
    const bar = tok.indexOf('|');
    const target = bar < 0 ? tok : tok.slice(0, bar);
    const label = bar < 0 ? '' : decode(tok.slice(bar + 1));
    if (target.startsWith('@')) return h('span', { class: 'mention' }, '@' + (label || userName(target.slice(1))));
    if (target.startsWith('#')) return h('span', { class: 'mention' }, '#' + (label || channelName(target.slice(1))));
    if (target.startsWith('!')) {
      const name = target.slice(1);
      if (['here', 'channel', 'everyone'].includes(name)) return h('span', { class: 'mention' }, '@' + name);
      if (name.startsWith('date^')) return slackDate(name, label);
      return document.createTextNode(label || decode(name));
    }
    const url = decode(target);
    if (/^(https?:|mailto:)/i.test(url)) {
      return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label || url);
    }
    return document.createTextNode(decode('<' + tok + '>'));
  }

  // slackDate shows <!date^epoch^format|fallback> in the reader's time zone, as Slack does.
  function slackDate(spec, fallback) {
    const [, epoch, format] = spec.split('^');
    const d = new Date(Number(epoch) * 1000);
    if (!format || isNaN(d)) return h('span', { class: 'date' }, fallback || spec);
    const date = { year: 'numeric', month: 'short', day: 'numeric' };
    const text = format.replace(/\{(\w+)\}/g, (all, tok) => {
      switch (tok) {
        case 'date_num': return d.toISOString().slice(0, 10);
        case 'date': case 'date_short': case 'date_pretty': case 'date_short_pretty':
          return d.toLocaleDateString(undefined, date);
        case 'date_long': case 'date_long_pretty':
          return d.toLocaleDateString(undefined, { weekday: 'long', ...date, month: 'long' });
        case 'time': return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
        case 'time_secs': return d.toLocaleTimeString();
      }
      return all;
    });
    return h('span', { class: 'date', title: fallback || '' }, text);
  }

  // ---- Block Kit ----

  function textObj(t) {
    if (!t || typeof t.text !== 'string') return document.createDocumentFragment();
    if (t.type === 'mrkdwn') return mrkdwn(t.text);
    return document.createTextNode(t.emoji === false ? t.text : emojify(t.text));
  }

  function renderBlocks(blocks, ctx) {
    return h('div', { class: 'blocks' }, blocks.map((b) => renderBlock(b, ctx)));
  }

  function renderBlock(b, ctx) {
    switch (b.type) {
      case 'header':
        return h('div', { class: 'b-header' }, textObj(b.text));
      case 'section': {
        const body = h('div', { class: 'b-section-body' },
          b.text ? h('div', { class: 'b-text' }, textObj(b.text)) : null,
          b.fields ? h('div', { class: 'b-fields' }, b.fields.map((f) => h('div', { class: 'b-field' }, textObj(f)))) : null);
        return h('div', { class: 'b-section' }, body,
          b.accessory ? h('div', { class: 'b-accessory' }, element(b.accessory, ctx)) : null);
      }
      case 'context':
        return h('div', { class: 'b-context' }, (b.elements || []).map((e) =>
          e.type === 'image' ? h('span', { class: 'img-alt' }, '[' + (e.alt_text || 'image') + ']') : h('span', null, textObj(e))));
      case 'divider':
        return h('hr', { class: 'b-divider' });
      case 'actions':
        return h('div', { class: 'b-actions' }, (b.elements || []).map((e) => element(e, ctx)));
      case 'input':
        return inputBlock(b);
      case 'image':
        return h('div', { class: 'img-alt' }, '[image: ' + (b.alt_text || '') + ']');
      case 'rich_text':
        return h('div', { class: 'b-text' }, richText(b.elements || []));
    }
    return h('div', { class: 'unsupported' }, '[' + b.type + ' block]');
  }

  function richText(elems) {
    const out = [];
    for (const e of elems) {
      if (e.type === 'text') out.push(e.text || '');
      else if (e.type === 'user') out.push(h('span', { class: 'mention' }, '@' + userName(e.user_id)));
      else if (e.type === 'channel') out.push(h('span', { class: 'mention' }, '#' + channelName(e.channel_id)));
      else if (e.type === 'link') out.push(e.text || e.url || '');
      else if (e.type === 'emoji') out.push(EMOJI[e.name] ? emoji(e.name) : ':' + e.name + ':');
      else if (e.elements) out.push(h('div', null, richText(e.elements)));
    }
    return out;
  }

  function element(e, ctx) {
    if (e.type === 'button') return button(e, ctx);
    if (e.type === 'image') return h('span', { class: 'img-alt' }, '[' + (e.alt_text || 'image') + ']');
    return h('span', { class: 'unsupported' }, '[' + e.type + ']');
  }

  function button(e, ctx) {
    const label = e.text ? (e.text.emoji === false ? e.text.text : emojify(e.text.text)) : '';
    const cls = 'btn' + (e.style ? ' btn-' + e.style : '');
    if (e.url && /^(https?:|mailto:)/i.test(e.url)) {
      return h('a', { class: cls, href: e.url, target: '_blank', rel: 'noopener noreferrer' }, label);
    }
    const btn = h('button', { class: cls, type: 'button', dataset: { actionId: e.action_id || '', value: e.value || '' } }, label);
    if (!ctx || ctx.modal) {
      btn.disabled = true;
      return btn;
    }
    btn.addEventListener('click', async () => {
      if (e.confirm && !(await confirmDialog(e.confirm))) return;
      btn.disabled = true;
      try {
        if (ctx.home) await post('api/homeclick', { user: ui.me, action_id: e.action_id, value: e.value || '' });
        else await post('api/click', { user: ui.me, channel: ctx.channel, ts: ctx.ts, action_id: e.action_id, value: e.value || '' });
      } catch (err) {
        toast(err.message, true);
      } finally {
        btn.disabled = false;
      }
    });
    return btn;
  }

  function inputBlock(b) {
    const el = b.element || {};
    const id = 'in-' + b.block_id + '-' + el.action_id;
    let field;
    if (el.type === 'plain_text_input') {
      field = h(el.multiline ? 'textarea' : 'input', {
        id, class: 'in', placeholder: el.placeholder ? el.placeholder.text : null,
        maxlength: el.max_length || null, dataset: { blockId: b.block_id || '', actionId: el.action_id || '' },
      });
      if (el.initial_value) field.value = el.initial_value;
    } else {
      field = h('span', { class: 'unsupported' }, '[' + (el.type || 'input') + ']');
    }
    return h('div', { class: 'b-input' },
      h('label', { for: id }, b.label ? b.label.text : '', b.optional ? h('span', { class: 'dim' }, ' (optional)') : null),
      field, b.hint ? h('div', { class: 'dim' }, b.hint.text) : null);
  }

  // ---- messages ----

  function clock(ts) {
    const d = new Date(Number(ts) * 1000);
    return isNaN(d) ? ts : d.toLocaleTimeString();
  }

  function renderMessage(m, channel, inThread) {
    const bot = m.user === ui.state.bot;
    const name = userName(m.user);
    const hasBlocks = Array.isArray(m.blocks) && m.blocks.length > 0;
    const content = hasBlocks ? renderBlocks(m.blocks, { channel, ts: m.ts }) : h('div', { class: 'b-text' }, mrkdwn(m.text || ''));
    return h('div', { class: 'msg' + (m.ephemeral ? ' ephemeral' : ''), dataset: { ts: m.ts, channel, user: m.user } },
      h('div', { class: 'avatar' + (bot ? ' bot' : '') }, (name[0] || '?').toUpperCase()),
      h('div', { class: 'msg-body' },
        h('div', { class: 'msg-head' },
          h('b', { class: 'author' }, name),
          bot ? h('span', { class: 'badge' }, 'APP') : null,
          h('span', { class: 'time', title: m.ts }, clock(m.ts)),
          m.edited ? h('span', { class: 'dim' }, '(edited)') : null,
          m.ephemeral ? h('span', { class: 'only-you' }, 'Only visible to you') : null),
        content,
        !inThread && m.reply_count
          ? h('a', { class: 'replies', href: '#', onclick: (ev) => { ev.preventDefault(); openThread(channel, m.ts); } },
            m.reply_count + (m.reply_count === 1 ? ' reply' : ' replies'))
          : null));
  }

  // ---- rendering ----
  // Nodes are kept while what they show is unchanged, so a live update never swaps the button
  // under a person's pointer.

  // keep returns the node cached under key when value is unchanged, else a new one from build.
  function keep(key, value, build) {
    const json = JSON.stringify(value);
    const hit = ui.nodes.get(key);
    if (hit && hit.json === json) {
      hit.used = true;
      return hit.node;
    }
    const node = build();
    ui.nodes.set(key, { json, node, used: true });
    return node;
  }

  // place makes nodes the children of parent, moving only what changed.
  function place(parent, nodes) {
    nodes.forEach((n, i) => {
      if (parent.children[i] !== n) parent.insertBefore(n, parent.children[i] || null);
    });
    while (parent.children.length > nodes.length) parent.lastElementChild.remove();
  }

  function render() {
    const st = ui.state;
    for (const entry of ui.nodes.values()) entry.used = false;
    document.title = st.title;
    $('#title').textContent = st.title;
    $('#team').textContent = st.team;
    const status = $('#status');
    status.textContent = st.connections > 0 ? 'app connected (' + st.connections + ')' : 'app not connected';
    status.className = 'status ' + (st.connections > 0 ? 'ok' : 'bad');

    place($('#people'), st.users.filter((u) => !u.bot).map((u) => {
      const b = keep('person:' + u.id, u, () => h('button', {
        type: 'button', class: 'person', role: 'radio', dataset: { user: u.id }, onclick: () => switchPerson(u.id),
      }, u.name, u.note ? h('small', null, u.note) : null));
      b.classList.toggle('active', u.id === ui.me);
      b.setAttribute('aria-checked', String(u.id === ui.me));
      return b;
    }));

    if (ui.channel !== HOME && !st.channels.some((c) => c.id === ui.channel)) ui.channel = st.channels.length ? st.channels[0].id : '';
    const chanLink = (c) => {
      const n = (st.messages[c.id] || []).length;
      if (c.id === ui.channel) ui.seen[c.id] = n;
      const a = keep('chan:' + c.id, c, () => h('a', {
        class: 'chan', dataset: { channel: c.id }, href: '#', onclick: (ev) => { ev.preventDefault(); switchChannel(c.id); },
      }, c.im ? userName(st.bot) : '# ' + c.name));
      a.classList.toggle('active', c.id === ui.channel);
      a.classList.toggle('unread', n > (ui.seen[c.id] || 0));
      return a;
    };
    place($('#channels'), st.channels.filter((c) => !c.im).map(chanLink));
    place($('#dms'), st.channels.filter((c) => c.im).map(chanLink));
    const app = keep('app:home', st.bot, () => h('a', {
      class: 'chan', id: 'app-home', href: '#', onclick: (ev) => { ev.preventDefault(); openHome(); },
    }, userName(st.bot)));
    app.classList.toggle('active', ui.channel === HOME);
    place($('#apps'), [app]);

    renderMain();
    renderThread();
    renderSuggestions();
    renderModal();
    for (const [key, entry] of ui.nodes) if (!entry.used) ui.nodes.delete(key);
  }

  function message(m, channel, inThread) {
    return keep((inThread ? 't:' : 'm:') + channel + ':' + m.ts + (m.ephemeral ? ':e' : ''), m,
      () => renderMessage(m, channel, inThread));
  }

  function renderMain() {
    const st = ui.state;
    if (ui.channel === HOME) {
      $('#chan-head').textContent = userName(st.bot) + ' (Home)';
      place($('#messages'), [st.home
        ? keep('home:' + ui.me, st.home, () => h('div', { class: 'home', id: 'home-view' }, renderBlocks(st.home, { home: true })))
        : keep('home-empty', null, () => h('div', { class: 'empty' }, 'Opening the Home tab…'))]);
      return;
    }
    const ch = st.channels.find((c) => c.id === ui.channel);
    $('#chan-head').textContent = !ch ? '' : ch.im ? userName(st.bot) + ' (direct message)' : '# ' + ch.name;
    const list = $('#messages');
    const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    const msgs = ch ? (st.messages[ch.id] || []).filter((m) => !m.thread_ts) : [];
    place(list, msgs.length ? msgs.map((m) => message(m, ch.id, false))
      : [keep('empty', null, () => h('div', { class: 'empty' }, 'No messages yet.'))]);
    if (stick || ui.jump) list.scrollTop = list.scrollHeight;
    ui.jump = false;
  }

  function renderThread() {
    const pane = $('#thread');
    const t = ui.thread;
    const msgs = t && ui.state.messages[t.channel];
    const root = msgs && msgs.find((m) => m.ts === t.ts);
    if (!root) {
      pane.hidden = true;
      return;
    }
    pane.hidden = false;
    $('#thread-title').textContent = 'Thread in # ' + channelName(t.channel);
    const replies = msgs.filter((m) => m.thread_ts === t.ts);
    const list = $('#thread-messages');
    const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    const count = replies.length + (replies.length === 1 ? ' reply' : ' replies');
    place(list, [message(root, t.channel, true),
      keep('sep', count, () => h('div', { class: 'thread-sep' }, count)),
      ...replies.map((m) => message(m, t.channel, true))]);
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function renderSuggestions() {
    place($('#suggestions'), (ui.state.suggestions || []).map((s, i) => keep('suggestion:' + i, s, () => h('button', {
      type: 'button', class: 'chip', dataset: { suggestion: String(i) },
      title: 'as ' + userName(s.user) + ' in #' + channelName(s.channel) + ': ' + s.command + ' ' + s.text,
      onclick: () => {
        if (s.user) ui.me = s.user;
        if (s.channel) ui.channel = s.channel;
        save();
        $('#compose-text').value = s.command + ' ' + s.text;
        ui.jump = true;
        refresh(true).then(() => $('#compose-text').focus());
      },
    }, s.note ? h('b', null, s.note + ': ') : null, s.command + ' ' + s.text))));
  }

  function renderModal() {
    const root = $('#modal-root');
    const views = ui.state.views;
    const v = views.length ? views[views.length - 1] : null;
    const key = v ? JSON.stringify(v) : '';
    if (key === ui.viewKey) return; // keep what is being typed
    ui.viewKey = key;
    if (!v) {
      root.replaceChildren();
      return;
    }
    const body = renderBlocks(v.blocks || [], { modal: true });
    const hasInputs = (v.blocks || []).some((b) => b.type === 'input');
    const close = h('button', { type: 'button', class: 'btn', id: 'modal-close' }, v.close || 'Cancel');
    const submit = v.submit || hasInputs ? h('button', { type: 'submit', class: 'btn btn-primary', id: 'modal-submit' }, v.submit || 'Submit') : null;
    const form = h('form', { class: 'modal', role: 'dialog', 'aria-modal': 'true', dataset: { viewId: v.id, callbackId: v.callback_id } },
      h('div', { class: 'modal-head' }, v.title),
      h('div', { class: 'modal-body' }, body),
      h('div', { class: 'modal-foot' }, close, submit));
    close.addEventListener('click', () => post('api/close', { user: ui.me, view_id: v.id }).catch((err) => toast(err.message, true)));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      for (const f of form.querySelectorAll('[data-block-id]')) {
        (values[f.dataset.blockId] = values[f.dataset.blockId] || {})[f.dataset.actionId] = f.value;
      }
      if (submit) submit.disabled = true;
      try {
        await post('api/submit', { user: ui.me, callback_id: v.callback_id, values });
      } catch (err) {
        toast(err.message, true);
      } finally {
        if (submit) submit.disabled = false;
      }
    });
    root.replaceChildren(h('div', { class: 'overlay' }, form));
    const first = form.querySelector('.in');
    if (first) first.focus();
  }

  // ---- panels ----

  async function refreshPanels() {
    if (!ui.state || ui.panelsBusy) return;
    ui.panelsBusy = true;
    try {
      const host = $('#panels');
      const panels = ui.state.panels || [];
      while (host.children.length > panels.length) host.lastChild.remove();
      for (let i = 0; i < panels.length; i++) {
        const p = panels[i];
        let box = host.children[i];
        if (!box) {
          box = h('section', { class: 'panel', id: 'panel-' + i }, h('h2', null, p.title), h('div', { class: 'sections' }), h('div', { class: 'forms' }));
          host.append(box);
        }
        let view;
        try {
          const r = await fetch(p.url, { cache: 'no-store' });
          if (!r.ok) throw new Error(p.url + ': ' + r.status + ' ' + (await r.text()));
          view = await r.json();
        } catch (err) {
          box.querySelector('.sections').replaceChildren(h('div', { class: 'note' }, 'Cannot load: ' + err.message));
          ui.panelText[i + ':s'] = '';
          continue;
        }
        const sections = JSON.stringify(view.sections || []);
        if (ui.panelText[i + ':s'] !== sections) {
          ui.panelText[i + ':s'] = sections;
          box.querySelector('.sections').replaceChildren(...(view.sections || []).map((s) => renderSection(i, s)));
        }
        const forms = JSON.stringify(view.forms || []);
        if (ui.panelText[i + ':f'] !== forms) { // re-render only when changed: keep the choices made
          ui.panelText[i + ':f'] = forms;
          box.querySelector('.forms').replaceChildren(...(view.forms || []).map(renderForm));
        }
      }
    } finally {
      ui.panelsBusy = false;
    }
  }

  // renderSection renders a titled table; a long one shows its first rows until expanded (the
  // others are in the page, hidden).
  function renderSection(panel, s) {
    const key = panel + ':' + s.title;
    const rows = s.rows || [];
    const long = rows.length > COLLAPSE;
    const table = s.columns && s.columns.length
      ? h('table', { class: 'ptable' + (long && !ui.expanded.has(key) ? ' collapsed' : '') },
        h('thead', null, h('tr', null, s.columns.map((c) => h('th', null, c)))),
        h('tbody', null, rows.map((r, i) => h('tr', { class: i >= COLLAPSE - 2 ? 'extra' : null }, r.map((c) => h('td', null, c))))))
      : null;
    const label = () => (ui.expanded.has(key) ? 'Show fewer' : 'Show all ' + rows.length + ' rows');
    const more = long
      ? h('button', {
        type: 'button', class: 'btn more', onclick: (ev) => {
          if (ui.expanded.has(key)) ui.expanded.delete(key); else ui.expanded.add(key);
          table.classList.toggle('collapsed', !ui.expanded.has(key));
          ev.target.textContent = label();
        },
      }, label())
      : null;
    return h('div', { class: 'psection', dataset: { title: s.title } },
      h('h3', null, s.title), s.note ? h('div', { class: 'note' }, s.note) : null, table, more);
  }

  function renderForm(f) {
    const form = h('form', { class: 'pform', dataset: { title: f.title } }, h('h3', null, f.title),
      (f.fields || []).map((fl) => h('label', null, fl.label,
        fl.options && fl.options.length
          ? h('select', { name: fl.name }, fl.options.map((o) => h('option', { value: o.value, selected: o.value === fl.value }, o.label)))
          : h('input', { name: fl.name, value: fl.value || '' }))),
      h('button', { type: 'submit', class: 'btn btn-primary' }, f.submit || 'Submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (f.confirm && !(await confirmDialog({ title: { text: f.title }, text: { text: f.confirm }, confirm: { text: f.submit || 'OK' } }))) return;
      const values = {};
      for (const el of form.elements) if (el.name) values[el.name] = el.value;
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        const r = await fetch(f.action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(values) });
        const text = await r.text();
        toast(text || r.statusText, !r.ok);
      } catch (err) {
        toast(err.message, true);
      } finally {
        btn.disabled = false;
        refresh(true);
      }
    });
    return form;
  }

  // ---- dialogs, toasts, requests ----

  // confirmDialog shows a Block Kit confirm object in the page and resolves to the choice.
  function confirmDialog(c) {
    return new Promise((resolve) => {
      const root = h('div', { class: 'overlay', id: 'confirm' });
      const done = (ok) => { root.remove(); resolve(ok); };
      root.append(h('div', { class: 'modal', role: 'alertdialog' },
        h('div', { class: 'modal-head' }, c.title ? c.title.text : 'Are you sure?'),
        h('div', { class: 'modal-body' }, c.text ? textObj(c.text) : ''),
        h('div', { class: 'modal-foot' },
          h('button', { type: 'button', class: 'btn', id: 'confirm-no', onclick: () => done(false) }, c.deny ? c.deny.text : 'Cancel'),
          h('button', { type: 'button', class: 'btn ' + (c.style === 'danger' ? 'btn-danger' : 'btn-primary'), id: 'confirm-yes', onclick: () => done(true) },
            c.confirm ? c.confirm.text : 'OK'))));
      document.body.append(root);
    });
  }

  function toast(text, error) {
    const t = h('div', { class: 'toast' + (error ? ' error' : '') }, text);
    $('#toasts').append(t);
    setTimeout(() => t.remove(), error ? 9000 : 5000);
  }

  async function post(path, body) {
    const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    let answer = {};
    try {
      answer = await r.json();
    } catch (_) {
      answer = { ok: false, error: r.status + ' ' + r.statusText };
    }
    if (!r.ok || !answer.ok) throw new Error(answer.error || r.statusText);
    return answer;
  }

  function save() {
    localStorage.setItem('slacktest.me', ui.me);
    localStorage.setItem('slacktest.channel', ui.channel);
  }

  function switchPerson(id) {
    ui.me = id;
    ui.seen = {};
    save();
    if (ui.channel === HOME) openHome();
    else refresh(true);
  }

  // HOME is the pseudo-channel of the app's Home tab: opening it sends app_home_opened, and the
  // app publishes the view the main pane shows.
  const HOME = '@home';

  function openHome() {
    ui.channel = HOME;
    save();
    render();
    post('api/home', { user: ui.me }).catch((err) => toast(err.message, true));
  }

  function switchChannel(id) {
    ui.channel = id;
    ui.jump = true;
    save();
    render();
  }

  function openThread(channel, ts) {
    ui.thread = { channel, ts };
    renderThread();
    const list = $('#thread-messages');
    list.scrollTop = list.scrollHeight;
  }

  // ---- state ----

  let fetching = null;
  let again = false;

  // refresh fetches what the current person sees and renders it when it changed (or when forced).
  function refresh(force) {
    if (fetching) {
      again = true;
      ui.force = ui.force || force;
      return fetching;
    }
    fetching = (async () => {
      try {
        const r = await fetch('api/state?user=' + encodeURIComponent(ui.me), { cache: 'no-store' });
        const text = await r.text();
        if (!r.ok) throw new Error(text);
        const st = JSON.parse(text);
        const people = st.users.filter((u) => !u.bot);
        if (!people.some((u) => u.id === ui.me) && people.length) {
          ui.me = people[0].id;
          save();
          again = true;
          return;
        }
        if (text !== ui.stateText || force || ui.force) {
          ui.stateText = text;
          ui.state = st;
          ui.force = false;
          render();
        }
      } catch (err) {
        $('#status').textContent = 'cannot reach the server';
        $('#status').className = 'status bad';
      }
    })().finally(() => {
      fetching = null;
      if (again) {
        again = false;
        refresh(false);
      }
    });
    return fetching.then(refreshPanels);
  }

  $('#composer').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('#compose-text');
    const text = input.value.trim();
    if (!text) return;
    const send = $('#send');
    send.disabled = true;
    try {
      await post('api/send', { user: ui.me, channel: ui.channel, text });
      input.value = '';
      ui.jump = true;
    } catch (err) {
      toast(err.message, true);
    } finally {
      send.disabled = false;
    }
  });
  $('#close-thread').addEventListener('click', () => {
    ui.thread = null;
    renderThread();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    const no = $('#confirm-no') || $('#modal-close');
    if (no) no.click();
  });

  const events = new EventSource('api/events');
  events.addEventListener('change', () => refresh(false));
  events.addEventListener('error', () => {
    $('#status').textContent = 'reconnecting…';
    $('#status').className = 'status bad';
  });
  setInterval(refreshPanels, 2000);
  refresh(true);
})();
