// The agent console: reads what the simulated CXone stored, and acts through the simulator's agent API, which
// calls the middleware exactly as CXone does.
const $ = id => document.getElementById(id);
let channel = null, thread = null, customer = null, typingTimer = null;

async function json(url, options) {
  const response = await fetch(url, options);
  return response.ok ? response.json() : null;
}

async function loadChannels() {
  const channels = await json('/sandbox/cxone/channels') || [];
  const select = $('channel');
  const current = select.value;
  select.innerHTML = channels.map(c => `<option value="${c.id}">${c.name}</option>`).join('');
  if (current) select.value = current;
  channel = select.value || null;
}

function text(message) { return message.messageContent?.payload?.text ?? ''; }

async function refresh() {
  if (!channel) { await loadChannels(); if (!channel) return; }
  const [log, statuses, actions] = await Promise.all([
    json(`/sandbox/cxone/channels/${channel}/messages`),
    json(`/sandbox/cxone/channels/${channel}/statuses`),
    json(`/sandbox/cxone/channels/${channel}/sender-actions`)]);
  const messages = log?.messages ?? [];
  const threads = new Map();
  for (const m of messages) {
    const id = m.thread.idOnExternalPlatform;
    const t = threads.get(id) ?? { id, name: m.thread.threadName, messages: [], customer: null };
    t.messages.push(m);
    if (m.direction === 'inbound') t.customer = m.authorEndUserIdentity;
    threads.set(id, t);
  }
  $('threads').innerHTML = threads.size === 0 ? '<p class="empty">No conversations yet.</p>' : [...threads.values()].map(t => {
    const who = t.customer ? [t.customer.firstName, t.customer.lastName].filter(Boolean).join(' ') || t.customer.nickname : 'new conversation';
    const last = text(t.messages[t.messages.length - 1]);
    return `<button data-testid="thread" data-thread="${t.id}" class="${t.id === thread ? 'active' : ''}">${who}<small>${escape(last)}</small></button>`;
  }).join('');
  for (const button of $('threads').querySelectorAll('button')) button.onclick = () => { thread = button.dataset.thread; refresh(); };
  // With nothing picked yet, open the newest conversation: the one a customer just started.
  if (!thread && threads.size > 0) { thread = [...threads.keys()].pop(); return refresh(); }

  const current = threads.get(thread);
  if (!current) return;
  customer = current.customer;
  const statusOf = id => (statuses ?? []).filter(s => s.messageIdOnExternalPlatform === id).map(s => s.status).pop();
  $('messages').innerHTML = current.messages.map(m => {
    const mine = m.direction === 'outbound';
    const status = mine ? statusOf(m.idOnExternalPlatform) : null;
    const tick = status === 'seen' ? '✓✓ seen' : status === 'delivered' ? '✓ delivered' : status === 'failed' ? '✗ failed' : mine ? 'sent' : '';
    return `<div class="message ${mine ? 'mine' : ''}" data-testid="${mine ? 'agent-message' : 'customer-message'}">${escape(text(m))}` +
      `<div class="meta">${mine ? 'Agent' : escape(m.authorEndUserIdentity?.firstName ?? 'Customer')} · <span class="status-${status}" data-testid="status">${tick}</span></div></div>`;
  }).join('');
  const lastAction = (actions ?? []).filter(a => a.threadIdOnExternalPlatform === thread).pop();
  $('typing').textContent = lastAction?.action === 'isTypingOn' ? 'The customer is typing…' : '';
}

function escape(value) { return String(value).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }

function showTrace(answer) { $('trace').textContent = (answer?.trace ?? answer?.answer?.trace ?? answer?.validation?.trace ?? []).join('\n'); }

$('channel').onchange = () => { channel = $('channel').value; thread = null; $('messages').innerHTML = '<p class="empty">Pick a conversation.</p>'; refresh(); };

$('reply-form').onsubmit = async event => {
  event.preventDefault();
  const value = $('reply').value.trim();
  if (!value || !thread) return;
  $('reply').value = '';
  const answer = await json('/sandbox/cxone/agent/reply', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channelId: channel, threadId: thread, text: value, recipientId: customer?.idOnExternalPlatform, recipientName: customer?.firstName }) });
  $('notice').textContent = answer?.status === 200 ? '' : `The middleware answered ${answer?.status}: ${JSON.stringify(answer?.body)}`;
  showTrace(answer);
  refresh();
};

$('reply').oninput = () => {
  if (!thread) return;
  if (!typingTimer) fetch('/sandbox/cxone/agent/typing', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId: channel, threadId: thread, on: true }) });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    typingTimer = null;
    fetch('/sandbox/cxone/agent/typing', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId: channel, threadId: thread, on: false }) });
  }, 3000);
};

$('start').onclick = async () => {
  const recipient = $('recipient').value.trim(), value = $('opening').value.trim();
  if (!recipient || !value) return;
  const answer = await json('/sandbox/cxone/agent/start', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channelId: channel, recipientId: recipient, text: value }) });
  showTrace(answer);
  if (!answer?.sent) {
    const body = answer?.validation?.body ?? answer?.answer?.body;
    $('notice').textContent = `Not sent: ${body?.displayErrorMessage ?? body?.title ?? 'the middleware refused it'}`;
    return;
  }
  $('notice').textContent = '';
  thread = answer.answer.body?.thread?.idOnExternalPlatform ?? thread;
  $('opening').value = '';
  refresh();
};

$('settings').onclick = async () => {
  const link = await json('/sandbox/cxone/agent/settings-link', { method: 'POST' });
  if (link) window.open(link.url, '_blank'); else $('notice').textContent = 'No Action URL is configured.';
};

loadChannels().then(refresh);
setInterval(refresh, 1000);
