// The playground's chat page: renders what the local Bot API server saw, live over SSE, and
// turns typing and button presses into Telegram updates. Plain JavaScript, no build step.
"use strict";

const $ = (selector) => document.querySelector(selector);
const state = { rooms: [], menus: {}, current: null, sender: {}, unread: {} };
const messages = new Map(); // entry key -> <li>

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

// ---- rooms and who is typing ---------------------------------------------------------------
function room(chatId) {
  return state.rooms.find((r) => r.chat_id === chatId);
}

function showRooms() {
  const nav = $("#rooms");
  nav.replaceChildren();
  for (const r of state.rooms) {
    const button = document.createElement("button");
    button.dataset.room = r.chat_id;
    button.className = r.chat_id === state.current ? "active" : "";
    const roles = r.people.map((p) => `${p.name}: ${p.role}`).join("; ");
    button.append(r.title, Object.assign(document.createElement("small"), { textContent: roles }));
    if (state.unread[r.chat_id]) {
      button.append(Object.assign(document.createElement("span"),
        { className: "badge", textContent: state.unread[r.chat_id] }));
    }
    button.onclick = () => openRoom(r.chat_id);
    nav.append(button);
  }
}

function openRoom(chatId) {
  state.current = chatId;
  state.unread[chatId] = 0;
  const r = room(chatId);
  if (!(chatId in state.sender)) state.sender[chatId] = r.people[0].user_id;
  $("#chat-title").textContent = r.title;
  const senders = $("#senders");
  senders.replaceChildren();
  if (r.people.length > 1) {
    senders.append("Send as:");
    for (const p of r.people) {
      const button = document.createElement("button");
      button.dataset.as = p.user_id;
      button.textContent = `${p.name}${r.admins.includes(p.user_id) ? " (admin)" : ""}`;
      button.className = state.sender[chatId] === p.user_id ? "active" : "";
      button.onclick = () => { state.sender[chatId] = p.user_id; openRoom(chatId); };
      senders.append(button);
    }
  }
  for (const li of messages.values()) li.hidden = Number(li.dataset.chat) !== chatId;
  showRooms();
  showMenu(false);
  scrollDown();
  $("#text").focus();
}

function scrollDown() {
  const list = $("#messages");
  list.scrollTop = list.scrollHeight;
}

// ---- messages --------------------------------------------------------------------------------
const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE",
  "A", "BLOCKQUOTE", "TG-SPOILER"]);

// Telegram's HTML parse mode: keep its few tags, turn everything else into plain text.
function telegramHtml(source) {
  const parsed = new DOMParser().parseFromString(`<body>${source}</body>`, "text/html").body;
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    if (node.nodeType !== Node.ELEMENT_NODE) return document.createTextNode("");
    const out = ALLOWED.has(node.tagName) ? document.createElement(node.tagName) : new DocumentFragment();
    if (node.tagName === "A" && /^(https?:|tg:)/.test(node.getAttribute("href") || "")) {
      out.href = node.getAttribute("href");
    }
    for (const child of node.childNodes) out.append(copy(child));
    return out;
  };
  const fragment = new DocumentFragment();
  for (const child of parsed.childNodes) fragment.append(copy(child));
  return fragment;
}

// Plain text with its links made clickable (t.me links to the bot open a chat with /start).
function plainText(source) {
  const fragment = new DocumentFragment();
  let last = 0;
  for (const match of source.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    fragment.append(source.slice(last, match.index));
    const link = Object.assign(document.createElement("a"), { href: match[0], textContent: match[0] });
    fragment.append(link);
    last = match.index + match[0].length;
  }
  fragment.append(source.slice(last));
  return fragment;
}

function followLink(event) {
  const link = event.target.closest("a");
  if (!link) return;
  const start = link.href.match(/^https:\/\/t\.me\/[A-Za-z0-9_]+\?start=([\w-]+)/);
  if (!start) { link.target = "_blank"; return; }
  event.preventDefault();
  const members = state.rooms.filter((r) => r.kind === "private" && r.people[0].role === "member");
  const names = members.map((r) => r.title).join(" or ");
  const who = prompt(`Open this invite as which member? (${names})`, members[0].title);
  const target = members.find((r) => r.title.toLowerCase() === (who || "").trim().toLowerCase());
  if (!target) return;
  openRoom(target.chat_id);
  say(`/start ${start[1]}`);
}

function render(entry) {
  let li = messages.get(entry.key);
  const isNew = !li;
  if (isNew) {
    li = document.createElement("li");
    messages.set(entry.key, li);
    $("#messages").append(li);
  }
  li.className = `msg ${entry.from === "bot" || entry.from === "toast" ? entry.from : "user"}`;
  li.dataset.key = entry.key;
  li.dataset.chat = entry.chat_id;
  li.hidden = entry.chat_id !== state.current;
  li.replaceChildren();
  const r = room(entry.chat_id);
  if (r && r.kind === "group" && entry.from !== "toast") {
    li.append(Object.assign(document.createElement("div"), { className: "who", textContent: entry.from === "bot" ? "hipcoach" : entry.from }));
  }
  if (entry.photo) {
    li.append(Object.assign(document.createElement("img"), { src: entry.photo.url, alt: entry.photo.name || "chart" }));
  }
  if (entry.document) {
    li.append(Object.assign(document.createElement("a"), {
      className: "doc", href: entry.document.url, download: entry.document.name,
      textContent: `📄 ${entry.document.name}`,
    }));
  }
  if (entry.text) {
    const text = Object.assign(document.createElement("div"), { className: "text" });
    text.append(entry.parse_mode === "HTML" ? telegramHtml(entry.text) : plainText(entry.text));
    li.append(text);
  }
  if (entry.buttons && entry.buttons.length) li.append(keyboard(entry));
  const time = new Date(entry.at).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
  li.append(Object.assign(document.createElement("div"), {
    className: "meta", textContent: `${entry.edited ? "edited · " : ""}${time}`,
  }));
  if (isNew && entry.chat_id !== state.current) {
    state.unread[entry.chat_id] = (state.unread[entry.chat_id] || 0) + 1;
    showRooms();
  }
  if (entry.chat_id === state.current) scrollDown();
}

function keyboard(entry) {
  const box = Object.assign(document.createElement("div"), { className: "kb" });
  for (const row of entry.buttons) {
    const line = Object.assign(document.createElement("div"), { className: "row" });
    for (const b of row) {
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: b.text });
      if (b.url) {
        button.onclick = () => followLink({ target: Object.assign(document.createElement("a"), { href: b.url }),
          preventDefault() {} });
      } else {
        button.onclick = () => press(entry, b.callback_data, button);
      }
      line.append(button);
    }
    box.append(line);
  }
  return box;
}

async function press(entry, data, button) {
  button.disabled = true;
  try {
    await post("/pg/press", {
      chat_id: entry.chat_id, user_id: state.sender[entry.chat_id], message_id: entry.message_id, data,
    });
  } finally {
    button.disabled = false;
  }
}

async function say(text) {
  const chatId = state.current;
  await post("/pg/send", { chat_id: chatId, user_id: state.sender[chatId], text });
}

// ---- the command menu (setMyCommands) ----------------------------------------------------------
function showMenu(open) {
  const menu = $("#menu");
  menu.hidden = !open;
  if (!open) return;
  const r = room(state.current);
  const commands = (r.kind === "group" && state.menus.all_group_chats) || state.menus.default || [];
  menu.replaceChildren(...commands.map((c) => {
    const item = document.createElement("li");
    item.dataset.command = c.command;
    item.append(Object.assign(document.createElement("b"), { textContent: `/${c.command}` }), ` ${c.description}`);
    item.onclick = () => { showMenu(false); say(`/${c.command}`); };
    return item;
  }));
}

// ---- the clock ---------------------------------------------------------------------------------
function showClock(clock) {
  const now = new Date(clock.now).toLocaleString([], {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  const ahead = clock.ahead_hours ? ` (+${clock.ahead_hours} h)` : "";
  const next = clock.next_reminder
    ? ` · next reminder ${new Date(clock.next_reminder).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" })}`
    : "";
  $("#clock").textContent = `Bot time: ${now}${ahead}${next}`;
  $("#clock").dataset.now = clock.now;
}

async function control(path, body) {
  const all = document.querySelectorAll("#bar button");
  all.forEach((b) => { b.disabled = true; });
  try {
    await post(path, body);
  } finally {
    all.forEach((b) => { b.disabled = false; });
  }
}

// ---- start-up and live updates ---------------------------------------------------------------
// Events that arrive while the state loads wait for it: the state may predate them, and
// rendering it wipes the chats, so a message sent just then would otherwise vanish.
let queued = null;

async function load() {
  queued = [];
  const data = await (await fetch("/pg/state")).json();
  state.rooms = data.rooms;
  state.menus = data.menus;
  messages.clear();
  $("#messages").replaceChildren();
  if (state.current === null) state.current = state.rooms[0].chat_id;
  data.entries.forEach((entry) => render(entry));
  state.unread = {};
  showClock(data.clock);
  openRoom(state.current);
  const late = queued;
  queued = null;
  late.forEach(handle);
  document.body.dataset.ready = "yes";
}

function handle(event) {
  if (event.type === "entry") render(event.entry);
  else if (event.type === "clock") showClock(event.clock);
  else if (event.type === "reset") { state.unread = {}; load(); }
}

function listen() {
  const events = new EventSource("/pg/events");
  events.onopen = () => { $("#offline").hidden = true; load(); };
  events.onerror = () => { $("#offline").hidden = false; };
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (queued) queued.push(event);
    else handle(event);
  };
}

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("#text");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  say(text);
});
$("#menu-button").onclick = () => showMenu($("#menu").hidden);
$("#messages").addEventListener("click", followLink);
document.querySelectorAll("[data-jump]").forEach((button) => {
  button.onclick = () => control("/pg/clock", { jump: button.dataset.jump, chat_id: state.current });
});
$("#reset").onclick = () => {
  if (confirm("Start over? Every chat and the bot's database are wiped.")) control("/pg/reset", {});
};
listen();
