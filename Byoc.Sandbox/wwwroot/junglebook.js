// A customer on Junglebook: writes to a company profile (privately or on its wall) and sees the agent's replies.
const $ = id => document.getElementById(id);
let thread = null, picked = false;
const read = new Set();

async function json(url, options) {
  const response = await fetch(url, options);
  return response.ok ? response.json() : null;
}

function escape(value) { return String(value).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }

async function refresh() {
  const user = $('user').value.trim(), profile = $('profile').value;
  const threads = (await json(`/junglebook/customer/profiles/${profile}/threads`) ?? []).filter(t => t.customerId === user);
  $('threads').innerHTML = threads.length === 0 ? '<p class="empty">No conversations yet.</p>' : threads.map(t =>
    `<button data-testid="thread" data-thread="${t.id}" class="${t.id === thread ? 'active' : ''}">${escape(t.title)}<small>${t.public ? 'public post' : 'private'}</small></button>`).join('');
  for (const button of $('threads').querySelectorAll('button')) button.onclick = () => { thread = button.dataset.thread; picked = true; refresh(); };
  // Open the latest conversation at first, so a returning customer sees the answers at once.
  if (!thread && !picked && threads.length > 0) { thread = threads[threads.length - 1].id; picked = true; return refresh(); }
  if (!thread) return;
  const view = await json(`/junglebook/customer/threads/${thread}`);
  if (!view) return;
  $('messages').innerHTML = view.messages.map(m =>
    `<div class="message ${m.fromProfile ? '' : 'mine'}" data-testid="${m.fromProfile ? 'company-message' : 'my-message'}">${escape(m.text)}` +
    `<div class="meta">${m.fromProfile ? escape(profile) : 'You'}</div></div>`).join('');
  $('typing').textContent = view.profileTyping ? 'The company is typing…' : '';
  // Reading a company message sends Junglebook's read receipt.
  for (const m of view.messages.filter(m => m.fromProfile && m.status !== 'read' && !read.has(m.id))) {
    read.add(m.id);
    fetch('/junglebook/customer/read', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId: m.id }) });
  }
}

$('send-form').onsubmit = async event => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('text').value = '';
  const answer = await json('/junglebook/customer/messages', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: $('profile').value, userId: $('user').value.trim(), userName: $('name').value.trim(), text, public: $('public').checked, threadId: thread }) });
  if (!answer) { $('notice').textContent = 'Junglebook could not post that.'; return; }
  thread = answer.threadId;
  $('notice').textContent = answer.webhookStatus === 200 ? '' : `The company's integration answered ${answer.webhookStatus}.`;
  refresh();
};

$('new').onclick = () => { thread = null; picked = true; $('messages').innerHTML = '<p class="empty">Write to the company below.</p>'; refresh(); };
$('profile').onchange = $('user').oninput = () => { thread = null; picked = false; refresh(); };
refresh();
setInterval(refresh, 1000);
