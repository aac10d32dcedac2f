#!/usr/bin/env node
'use strict';
/*
 * Bot API emulator for the end-to-end tests: telegram-test-api 4.2.1 plus the fixes that
 * python-telegram-bot 22 needs (see /work/shared/research/telegram-test-api.md).
 *
 *   node launcher.js [--port N] [--username NAME] [--store-timeout S] [--watch-stdin]
 *   (or EMU_PORT, EMU_BOT_USERNAME, EMU_STORE_TIMEOUT). Port 0 = any free port.
 *   Prints "READY <port>" once listening. --watch-stdin: exit when stdin closes.
 *
 * We keep the library's server (express app, lifecycle, id counters, update storage, its client
 * routes) and put our own routes in front of it:
 *   /bot<token>/<method>            the Bot API (METHODS below); every call is recorded
 *   POST /_emu/<token>/update       inject any raw update (missing ids and dates are filled in)
 *   GET  /_emu/<token>/messages?chat_id=&bot=1&after=ID&count=N&wait=S
 *                                   a chat's messages (edits applied), optionally waiting for N
 *   GET  /_emu/<token>/calls?method=   recorded calls: {method, params, ok, result | error}
 *   POST /_emu/<token>/override     {method, count, error_code, description, retry_after}
 *                                   or {method, count, result}: fake the next `count` calls
 *   POST /_emu/<token>/me           change getMe fields      POST /_emu/<token>/reset
 *   POST /_emu/<token>/file?filename=&mime_type=   (raw body) a file a user sends: answers the
 *                                   Document to put in a message; getFile and /file/bot<token>/
 *                                   then serve it (see "files users send" below)
 * HTML is parsed like Telegram does (entities, 400 on bad markup); MarkdownV2 is not.
 * No flood limits or blocked users unless injected with /override.
 */
const express = require('express');
const crypto = require('crypto');
const busboy = require('busboy');
const TelegramServer = require('telegram-test-api');

const argv = process.argv.slice(2);
const opt = (name, env, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : process.env[env] ?? dflt;
};
const PORT = Number(opt('port', 'EMU_PORT', 0));
const USERNAME = opt('username', 'EMU_BOT_USERNAME', 'essbot_test_bot');
const STORE_TIMEOUT = Number(opt('store-timeout', 'EMU_STORE_TIMEOUT', 3600)); // seconds
const server = new TelegramServer({ port: PORT || 9000, host: '127.0.0.1', storeTimeout: STORE_TIMEOUT });
server.config.port = PORT; // the library turns 0 into 9000; we want "any free port"

const now = () => Math.floor(Date.now() / 1000); // Bot API dates are in seconds (the library used ms)
const clone = (x) => (x === undefined ? x : structuredClone(x));
class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    Object.assign(this, { code, description, parameters });
  }
}
const bad = (what) => new ApiError(400, `Bad Request: ${what}`);

// ------------------------------------------------------------------------- per-bot state
const bots = new Map();
function bot(token) {
  if (!bots.has(token)) {
    const id = /^\d+:/.test(token) ? Number(token.split(':')[0]) : 100000 + bots.size;
    bots.set(token, {
      token,
      me: { id, is_bot: true, first_name: 'ESS Bot (test)', username: USERNAME, can_join_groups: true,
        can_read_all_group_messages: false, supports_inline_queries: true, can_connect_to_business: false,
        has_main_web_app: false },
      calls: [], overrides: [], commands: new Map(), chats: new Map(), users: new Map(),
      messages: new Map(), // chat id -> Map(message id -> Message): what clients see, edits applied
      listeners: new Set(), // called on every message change (waiting /messages readers)
      allowed: null, waiter: null, webhook: null, delivering: false,
      files: new Map(), // file_id -> {file_id, file_unique_id, file_size, file_path, data}
    });
  }
  return bots.get(token);
}
// Pending updates live in the library's storage.userMessages: {time, botToken, updateId, update}.
const pending = (b) => server.storage.userMessages.filter((e) => e.botToken === b.token);
const dropPending = (b, pred = () => true) => {
  server.storage.userMessages = server.storage.userMessages.filter((e) => e.botToken !== b.token || !pred(e));
};
const botUser = (b) => ({ id: b.me.id, is_bot: true, first_name: b.me.first_name, username: b.me.username });

// The real chat object (the library answered every message with a private chat "Bot").
function chatFor(b, chatId) {
  if (chatId === undefined || chatId === null || chatId === '') throw bad('chat_id is empty');
  const id = String(chatId).startsWith('@')
    ? [...b.chats.values()].find((c) => c.username === String(chatId).slice(1))?.id : Number(chatId);
  if (!Number.isFinite(id)) throw bad('chat not found');
  if (!b.chats.has(id)) { // never seen: make one up (a bot may write to a configured id first)
    b.chats.set(id, id > 0 ? { id, type: 'private', first_name: b.users.get(id)?.first_name ?? `User ${id}` }
      : { id, type: String(id).startsWith('-100') ? 'supergroup' : 'group', title: `Chat ${id}` });
  }
  return clone(b.chats.get(id));
}
function remember(b, chat, user) {
  if (chat?.id !== undefined) b.chats.set(Number(chat.id), { ...b.chats.get(Number(chat.id)), ...chat });
  if (user?.id !== undefined) b.users.set(Number(user.id), user);
}
const getMsg = (b, chatId, id) => b.messages.get(Number(chatId))?.get(Number(id));
function putMsg(b, m) {
  const chatId = Number(m.chat.id);
  if (!b.messages.has(chatId)) b.messages.set(chatId, new Map());
  b.messages.get(chatId).set(m.message_id, clone(m));
  b.listeners.forEach((fn) => fn());
}
// A message given as {message_id, chat: {id}} is completed from the store (callback messages, replies).
function expand(b, stub, chatId) {
  const found = getMsg(b, stub.chat?.id ?? chatId, stub.message_id);
  if (!found) return { date: now(), ...stub, chat: { ...chatFor(b, stub.chat?.id ?? chatId), ...stub.chat } };
  const { reply_to_message: _nested, ...flat } = clone(found); // Telegram does not nest replies
  return flat;
}

// ------------------------------------------------------------------------- incoming updates
const MESSAGE_KINDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_message'];
const DATED_KINDS = ['my_chat_member', 'chat_member', 'chat_join_request', 'message_reaction',
  'message_reaction_count'];
const DEFAULT_EXCLUDED = ['chat_member', 'message_reaction', 'message_reaction_count']; // Telegram's default
const stripToken = (x) => {
  if (Array.isArray(x)) return x.map(stripToken);
  if (!x || typeof x !== 'object') return x;
  return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'botToken').map(([k, v]) => [k, stripToken(v)]));
};
function fillMessage(b, m, edited) {
  if (!m.chat) throw bad('an injected message needs a chat');
  m.chat = { ...chatFor(b, m.chat.id), ...m.chat };
  m.message_id ??= server.messageId++;
  m.date ??= now();
  if (edited) m.edit_date ??= now();
  remember(b, m.chat, m.from);
  if (m.reply_to_message) m.reply_to_message = expand(b, m.reply_to_message, m.chat.id);
  putMsg(b, m);
}
function enqueue(b, raw) {
  const u = stripToken(raw); // the library leaked `botToken` into updates
  if (u.update_id === undefined) u.update_id = server.updateId++;
  else server.updateId = Math.max(server.updateId, u.update_id + 1);
  for (const kind of MESSAGE_KINDS) if (u[kind]) fillMessage(b, u[kind], kind.startsWith('edited'));
  const q = u.callback_query;
  if (q) { // the library dropped chat_instance: PTB then rejected the whole batch
    q.id ??= String(server.callbackId++);
    if (q.message) q.message = expand(b, q.message, q.from?.id);
    q.chat_instance ??= String(4200000000 + Number(q.message?.chat?.id ?? q.from?.id ?? 0));
    remember(b, q.message?.chat, q.from);
  }
  const iq = u.inline_query;
  if (iq) Object.assign(iq, {
    id: iq.id ?? String(server.callbackId++), query: iq.query ?? '', offset: iq.offset ?? '',
  });
  for (const kind of DATED_KINDS) if (u[kind]) { u[kind].date ??= now(); remember(b, u[kind].chat, u[kind].from); }
  server.storage.userMessages.push({ time: Date.now(), botToken: b.token, updateId: u.update_id, update: u });
  b.waiter?.wake();
  deliverWebhook(b);
  return u;
}
// The library's own client routes (/sendMessage, /sendCommand, /sendCallback) go through here too.
server.addUserUpdate = async (e) => enqueue(bot(e.botToken), e.callbackQuery
  ? { callback_query: { id: String(e.callbackId), ...e.callbackQuery } }
  : { message: { ...e.message, message_id: e.messageId } });

// Updates the bot may get now; types left out of allowed_updates are dropped, as Telegram does.
function deliverable(b) {
  const type = (e) => Object.keys(e.update).find((k) => k !== 'update_id');
  const allowed = (e) => (b.allowed?.length ? b.allowed.includes(type(e)) : !DEFAULT_EXCLUDED.includes(type(e)));
  dropPending(b, (e) => !allowed(e));
  return pending(b);
}

// getUpdates with Telegram's semantics (the library answered at once and marked everything read):
// `offset` confirms (deletes) older updates and unconfirmed ones are sent again, so nothing is
// lost if a response never reaches the bot; with `timeout` the request is held until one arrives.
function getUpdates(b, p, { res }) {
  if (b.webhook) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
      + 'use deleteWebhook to delete the webhook first');
  }
  if (p.allowed_updates) b.allowed = p.allowed_updates;
  const offset = Number(p.offset ?? 0);
  const keep = offset < 0 ? pending(b).slice(offset) : null; // negative: keep the last -offset ones
  dropPending(b, (e) => (keep ? !keep.includes(e) : e.updateId < offset));
  const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100);
  const take = () => deliverable(b).slice(0, limit).map((e) => clone(e.update));
  const timeout = Math.min(Math.max(Number(p.timeout ?? 0), 0), 50);
  if (take().length || timeout === 0) return take();
  b.waiter?.finish(new ApiError(409, 'Conflict: terminated by other getUpdates request; '
    + 'make sure that only one bot instance is running'));
  return new Promise((resolve, reject) => {
    const waiter = {
      finish: (err) => {
        clearTimeout(timer);
        if (b.waiter === waiter) b.waiter = null;
        if (err) reject(err); else resolve(take());
      },
      wake: () => { if (take().length) waiter.finish(); },
    };
    const timer = setTimeout(() => waiter.finish(), timeout * 1000);
    res.on('close', () => waiter.finish()); // the bot went away (stop, cancel): nothing is lost
    b.waiter = waiter;
  });
}

// Webhook mode: POST updates one at a time with the X-Telegram-Bot-Api-Secret-Token header
// (the library sent none, so PTB answered 403); an update is confirmed by an HTTP 2xx.
async function deliverWebhook(b) {
  if (b.delivering || !b.webhook) return;
  b.delivering = true;
  for (let failures = 0; b.webhook && failures < 5;) {
    const [next] = deliverable(b);
    if (!next) break;
    const headers = { 'content-type': 'application/json' };
    if (b.webhook.secret_token) headers['x-telegram-bot-api-secret-token'] = b.webhook.secret_token;
    const body = JSON.stringify(next.update);
    const status = await fetch(b.webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10000) })
      .then((r) => r.status, (err) => { b.webhook.last_error_message = String(err); return 0; });
    if (status >= 200 && status < 300) { dropPending(b, (e) => e === next); failures = 0; continue; }
    if (status) b.webhook.last_error_message = `Wrong response from the webhook: ${status}`;
    b.webhook.last_error_date = now();
    failures += 1;
    await new Promise((r) => setTimeout(r, 100 * failures));
  }
  b.delivering = false;
}

// ------------------------------------------------------------------------- outgoing messages
const HTML_TAGS = { b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', span: 'spoiler', 'tg-spoiler': 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji' };
const decodeEntity = (name) => ({ lt: '<', gt: '>', amp: '&', quot: '"' }[name]
  ?? (/^#x[0-9a-f]+$/i.test(name) ? String.fromCodePoint(parseInt(name.slice(2), 16))
    : /^#\d+$/.test(name) ? String.fromCodePoint(Number(name.slice(1))) : null));
// parse_mode=HTML as Telegram does it: plain text + entities (UTF-16 offsets), or a 400.
function parseHtml(src) {
  const at = (i) => (i === undefined ? '' : ` at byte offset ${Buffer.byteLength(src.slice(0, i))}`);
  const fail = (why, i) => bad(`can't parse entities: ${why}${at(i)}`);
  let text = '';
  const entities = [];
  const open = [];
  for (let i = 0; i < src.length;) {
    if (src[i] === '<') {
      const end = src.indexOf('>', i);
      if (end < 0) throw fail('Unclosed start tag', i);
      const [, closing, tag, attrs = ''] = /^(\/?)([a-z][a-z0-9-]*)(\s[^]*)?$/i.exec(src.slice(i + 1, end)) ?? [];
      const name = tag?.toLowerCase();
      if (!HTML_TAGS[name]) throw fail(`Unsupported start tag "${src.slice(i + 1, end)}"`, i);
      if (closing) {
        const top = open.pop();
        if (top?.name !== name) throw fail(`Unmatched end tag "${name}", expected "</${top?.name}>"`, i);
        const length = text.length - top.offset;
        if (length > 0) entities.push({ type: top.type, offset: top.offset, length, ...top.extra });
      } else {
        const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
        const url = href && (href[1] ?? href[2]).replace(/&(#?\w+);/g, (all, n) => decodeEntity(n) ?? all);
        const extra = name === 'a' && url ? { url } : {};
        if (name === 'span' && !/class\s*=\s*"tg-spoiler"/.test(attrs)) throw fail('Unsupported start tag "span"', i);
        open.push({ name, type: name === 'a' && !extra.url ? null : HTML_TAGS[name], offset: text.length, extra });
      }
      i = end + 1;
    } else if (src[i] === '&') {
      const m = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(src.slice(i, i + 12));
      const decoded = m && decodeEntity(m[1]);
      text += decoded ?? '&'; // unknown entities stay as they are
      i += decoded ? m[0].length : 1;
    } else { text += src[i]; i += 1; }
  }
  if (open.length) throw fail(`Can't find end tag corresponding to start tag "${open.pop().name}"`);
  return { text, entities: entities.filter((e) => e.type).sort((x, y) => x.offset - y.offset || y.length - x.length) };
}
// Text or caption after entity parsing, with Telegram's checks (lengths in UTF-16 units, as JS).
function formatted(raw, parseMode, entities, { empty, tooLong, max }) {
  const parsed = /^html$/i.test(parseMode ?? '') ? parseHtml(String(raw ?? '')) : { text: String(raw ?? ''), entities };
  if (!parsed.text.trim()) throw bad(empty);
  if (parsed.text.length > max) throw bad(tooLong);
  if (!parsed.entities?.length) parsed.entities = undefined;
  return parsed;
}
const TEXT = { empty: 'message text is empty', tooLong: 'message is too long', max: 4096 };
const CAPTION = { empty: 'message caption is empty', tooLong: 'message caption is too long', max: 1024 };
function caption(p) {
  if (p.caption === undefined || p.caption === '') return { caption: undefined, caption_entities: undefined };
  const { text, entities } = formatted(p.caption, p.parse_mode, p.caption_entities, CAPTION);
  return { caption: text, caption_entities: entities };
}
const BUTTON_ACTIONS = ['url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query',
  'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay'];
function checkMarkup(markup) {
  for (const button of (markup?.inline_keyboard ?? []).flat()) {
    const action = BUTTON_ACTIONS.some((k) => button[k] !== undefined);
    if (!action) throw bad('text buttons are unallowed in the inline keyboard');
    const data = button.callback_data;
    if (data !== undefined && (data === '' || Buffer.byteLength(String(data)) > 64)) throw bad('BUTTON_DATA_INVALID');
    if (button.url !== undefined && !/^(https?|tg):\/\/\S+$/i.test(button.url)) throw bad('BUTTON_URL_INVALID');
  }
}
function replyTarget(b, p, chat) {
  const rp = p.reply_parameters ?? (p.reply_to_message_id === undefined ? null
    : { message_id: p.reply_to_message_id, allow_sending_without_reply: p.allow_sending_without_reply });
  if (!rp) return undefined;
  const target = getMsg(b, rp.chat_id === undefined ? chat.id : chatFor(b, rp.chat_id).id, rp.message_id);
  if (target) return expand(b, target, chat.id);
  if (rp.allow_sending_without_reply) return undefined;
  throw bad('message to be replied not found');
}
// Every send* answers the Message Telegram would: date in seconds, `from` = the bot, the real
// chat, message_thread_id, reply_to_message, inline keyboard (reply keyboards are not echoed).
function postBotMessage(b, p, content) {
  const chat = chatFor(b, p.chat_id);
  checkMarkup(p.reply_markup);
  const m = { message_id: 0, from: botUser(b), chat, date: now() };
  if (p.message_thread_id !== undefined) {
    m.message_thread_id = Number(p.message_thread_id);
    if (chat.is_forum) m.is_topic_message = true;
  }
  Object.assign(m, { reply_to_message: replyTarget(b, p, chat) }, content);
  if (p.reply_markup?.inline_keyboard) m.reply_markup = p.reply_markup;
  m.message_id = server.messageId++;
  putMsg(b, m);
  return m;
}
function sendMedia(b, p, kind) {
  if (p[kind] === undefined) throw bad(`there is no ${kind} in the request`);
  const meta = typeof p[kind] === 'object' ? p[kind] : { filename: 'file' }; // an upload, or a file_id / URL
  const id = `${kind}-${server.messageId}`;
  const file = { file_id: id, file_unique_id: `u-${id}`, file_size: meta.size };
  const media = kind === 'photo' ? { photo: [{ ...file, width: 800, height: 600 }] }
    : { document: { ...file, file_name: meta.filename, mime_type: meta.mime_type } };
  return postBotMessage(b, p, { ...media, ...caption(p) });
}
// Edits answer the edited Message (the library: null); a keyboard not sent again is dropped.
function editMessage(b, p, change) {
  if (p.inline_message_id !== undefined) return true;
  const old = getMsg(b, chatFor(b, p.chat_id).id, p.message_id);
  if (!old) throw bad('message to edit not found');
  if (old.from?.id !== b.me.id) throw bad("message can't be edited");
  if ('text' in change && old.text === undefined) throw bad('there is no text in the message to edit');
  checkMarkup(p.reply_markup);
  const m = { ...clone(old), ...change, reply_markup: p.reply_markup?.inline_keyboard ? p.reply_markup : undefined };
  const fields = ['text', 'entities', 'caption', 'caption_entities', 'reply_markup'];
  if (fields.every((k) => JSON.stringify(m[k]) === JSON.stringify(old[k]))) {
    throw bad('message is not modified: specified new message content and reply markup are exactly the same '
      + 'as a current content and reply markup of the message');
  }
  m.edit_date = now();
  putMsg(b, m);
  return m;
}
function deleteMessage(b, chatId, id) {
  const chat = chatFor(b, chatId);
  if (!b.messages.get(chat.id)?.delete(Number(id))) throw bad('message to delete not found');
  b.listeners.forEach((fn) => fn());
  return true;
}

// ------------------------------------------------------------------------- the Bot API
const CHAT_ACTIONS = ['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note'];
const commandKey = (p) => JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? '']);
const yes = () => true;
const METHODS = {
  getMe: (b) => b.me, // the library's had no is_bot: Application.initialize() raised
  getUpdates,
  setWebhook: (b, p) => {
    if (p.drop_pending_updates) dropPending(b);
    b.webhook = p.url ? { url: p.url, secret_token: p.secret_token } : null;
    if (p.allowed_updates) b.allowed = p.allowed_updates;
    b.waiter?.finish(new ApiError(409, 'Conflict: terminated by setWebhook request'));
    deliverWebhook(b);
    return true;
  },
  deleteWebhook: (b, p) => { b.webhook = null; if (p.drop_pending_updates) dropPending(b); return true; },
  getWebhookInfo: (b) => ({ url: b.webhook?.url ?? '', has_custom_certificate: false,
    pending_update_count: pending(b).length, last_error_date: b.webhook?.last_error_date,
    last_error_message: b.webhook?.last_error_message }),
  sendMessage: (b, p) => postBotMessage(b, p, formatted(p.text, p.parse_mode, p.entities, TEXT)),
  sendPhoto: (b, p) => sendMedia(b, p, 'photo'),
  sendDocument: (b, p) => sendMedia(b, p, 'document'),
  editMessageText: (b, p) => editMessage(b, p, formatted(p.text, p.parse_mode, p.entities, TEXT)),
  editMessageCaption: (b, p) => editMessage(b, p, caption(p)),
  editMessageReplyMarkup: (b, p) => editMessage(b, p, {}),
  deleteMessage: (b, p) => deleteMessage(b, p.chat_id, p.message_id),
  deleteMessages: (b, p) => {
    (p.message_ids ?? []).forEach((id) => getMsg(b, p.chat_id, id) && deleteMessage(b, p.chat_id, id));
    return true;
  },
  sendChatAction: (b, p) => {
    chatFor(b, p.chat_id);
    if (!CHAT_ACTIONS.includes(p.action)) throw bad('wrong parameter action in request');
    return true;
  },
  setMyCommands: (b, p) => {
    const commands = p.commands ?? [];
    if (commands.length > 100) throw bad('too many commands');
    if (!commands.every((c) => /^[a-z0-9_]{1,32}$/.test(c.command ?? ''))) throw bad('BOT_COMMAND_INVALID');
    const described = commands.every((c) => c.description?.length >= 1 && c.description.length <= 256);
    if (!described) throw bad('command description is invalid');
    b.commands.set(commandKey(p), commands);
    return true;
  },
  getMyCommands: (b, p) => b.commands.get(commandKey(p)) ?? [],
  deleteMyCommands: (b, p) => b.commands.delete(commandKey(p)) || true,
  answerCallbackQuery: (b, p) => { if (!p.callback_query_id) throw bad('QUERY_ID_INVALID'); return true; },
  answerInlineQuery: (b, p) => {
    const results = p.results ?? [];
    if (results.length > 50) throw bad('RESULTS_TOO_MUCH');
    if (new Set(results.map((r) => r.id)).size !== results.length) throw bad('RESULT_ID_DUPLICATE');
    results.forEach((r) => checkMarkup(r.reply_markup));
    return true;
  },
  getChat: (b, p) => ({ ...chatFor(b, p.chat_id), accent_color_id: 0, max_reaction_count: 11,
    accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false,
      premium_subscription: false, gifts_from_channels: false } }),
  getChatMember: (b, p) => { // everyone is a plain member; fake admins with /override
    chatFor(b, p.chat_id);
    const id = Number(p.user_id);
    const user = id === b.me.id ? botUser(b) : b.users.get(id) ?? { id, is_bot: false, first_name: `User ${id}` };
    return { status: 'member', user };
  },
  getChatAdministrators: () => [],
  getFile: (b, p) => getFile(b, p.file_id),
  getChatMenuButton: () => ({ type: 'default' }),
  setChatMenuButton: yes, setMessageReaction: yes, leaveChat: yes, logOut: yes, close: yes, pinChatMessage: yes,
  unpinChatMessage: yes, setMyDescription: yes, setMyShortDescription: yes, setMyName: yes, sendMessageDraft: yes,
};
const CANONICAL = new Map(Object.keys(METHODS).map((name) => [name.toLowerCase(), name])); // names are case-insensitive

// Parameters as PTB sends them: form fields, non-string values JSON-encoded.
const TEXT_PARAMS = new Set(['text', 'caption', 'callback_query_id', 'inline_query_id', 'next_offset', 'secret_token',
  'url', 'title', 'description', 'short_description', 'name', 'action', 'parse_mode', 'language_code', 'emoji']);
function parseParams(req) {
  const out = {};
  for (const [k, v] of Object.entries({ ...req.query, ...req.body })) {
    if (typeof v !== 'string' || TEXT_PARAMS.has(k)) out[k] = v;
    else try { out[k] = JSON.parse(v); } catch { out[k] = v; }
  }
  return out;
}
// multipart/form-data (sendDocument/sendPhoto uploads; the library could not read them):
// fields as strings, files as {filename, mime_type, size, sha256}.
function multipart(req, _res, next) {
  if (!req.is('multipart/form-data')) return next();
  const body = {};
  const bb = busboy({ headers: req.headers });
  bb.on('field', (name, value) => { body[name] = value; });
  bb.on('file', (name, stream, info) => {
    const file = { filename: info.filename, mime_type: info.mimeType, size: 0 };
    const digest = crypto.createHash('sha256');
    body[name] = file;
    stream.on('data', (chunk) => { file.size += chunk.length; digest.update(chunk); });
    stream.on('end', () => { file.sha256 = digest.digest('hex'); });
  });
  bb.on('close', () => { req.body = body; req._body = true; next(); });
  bb.on('error', next);
  return req.pipe(bb);
}

const app = express();
app.use(multipart, express.json({ limit: '50mb' }), express.urlencoded({ extended: true, limit: '50mb' }));

app.all('/bot:token/:method', async (req, res) => {
  const b = bot(req.params.token);
  const method = CANONICAL.get(req.params.method.toLowerCase()) ?? req.params.method;
  const call = { method, params: parseParams(req), time: Date.now() / 1000 };
  b.calls.push(call);
  const i = b.overrides.findIndex((o) => o.method.toLowerCase() === method.toLowerCase());
  const override = b.overrides[i];
  if (override && --override.count <= 0) b.overrides.splice(i, 1);
  try {
    if (override?.error_code) {
      throw new ApiError(override.error_code, override.description,
        override.retry_after === undefined ? undefined : { retry_after: override.retry_after });
    }
    if (!override && !METHODS[method]) throw new ApiError(404, `Not Found: method ${method} is not emulated`);
    const result = override ? override.result : await METHODS[method](b, call.params, { req, res });
    Object.assign(call, { ok: true, result: clone(result) });
    if (!res.writableEnded && !res.destroyed) res.json({ ok: true, result });
  } catch (err) {
    if (!(err instanceof ApiError)) console.error(err); // a bug here: answer 500 and keep running
    const e = err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${err}`);
    call.ok = false;
    call.error = { error_code: e.code, description: e.description, parameters: e.parameters };
    if (!res.writableEnded && !res.destroyed) res.status(e.code).json({ ok: false, ...call.error });
  }
});
// ------------------------------------------------------------------------- files users send
// A test uploads the bytes (POST /_emu/<token>/file), puts the Document it gets back in a message;
// the bot then calls getFile and downloads /file/bot<token>/<file_path>, as with Telegram.
function storeUserFile(b, data, filename, mimeType) {
  const n = b.files.size + 1;
  const id = `BQACAgUser${n}-${Date.now().toString(36)}`;
  const file = { file_id: id, file_unique_id: `uf-${n}`, file_size: data.length,
    file_path: `documents/file_${n}${/\.[A-Za-z0-9]{1,8}$/.exec(filename ?? '')?.[0] ?? ''}`, data };
  b.files.set(id, file);
  return { file_id: id, file_unique_id: file.file_unique_id, file_size: data.length,
    file_name: filename ?? 'document', mime_type: mimeType ?? 'application/octet-stream' };
}
function getFile(b, fileId) {
  const file = b.files.get(String(fileId ?? ''));
  if (!file) throw bad('invalid file_id');
  const { data: _data, ...meta } = file;
  return meta;
}
app.all('/file/bot:token/*', (req, res) => {
  const path = req.params[0];
  const file = [...bot(req.params.token).files.values()].find((f) => f.file_path === path);
  if (!file) return res.status(404).json({ ok: false, error_code: 404, description: 'Not Found' });
  return res.type('application/octet-stream').send(file.data);
});

// ------------------------------------------------------------------------- control routes (tests)
const control = (fn) => (req, res) => {
  try { res.json({ ok: true, result: fn(bot(req.params.token), req) }); } catch (err) {
    const code = err.code ?? 500;
    res.status(code).json({ ok: false, error_code: code, description: err.description ?? String(err) });
  }
};
app.post('/_emu/:token/update', control((b, req) => enqueue(b, req.body)));
app.get('/_emu/:token/calls', control((b, req) => b.calls.filter((c) => !req.query.method
  || c.method.toLowerCase() === String(req.query.method).toLowerCase())));
app.post('/_emu/:token/override', control((b, req) => {
  if (!req.body.method) throw bad('method is required');
  b.overrides.push({ count: 1, ...req.body });
  return true;
}));
app.post('/_emu/:token/me', control((b, req) => Object.assign(b.me, req.body)));
app.post('/_emu/:token/file', express.raw({ type: () => true, limit: '50mb' }), control((b, req) =>
  storeUserFile(b, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.query.filename, req.query.mime_type)));
app.post('/_emu/:token/reset', control((b) => {
  Object.assign(b, { calls: [], overrides: [], messages: new Map(), commands: new Map(), allowed: null });
  dropPending(b);
  return true;
}));
// A chat's messages, oldest first. bot=1: the bot's only; after=ID: later ones only;
// count=N&wait=S: hold the request up to S seconds until there are N of them.
app.get('/_emu/:token/messages', (req, res) => {
  const b = bot(req.params.token);
  const { chat_id: chatId, bot: onlyBot, after = 0, count = 0, wait = 0 } = req.query;
  const list = () => [...(b.messages.get(Number(chatId))?.values() ?? [])]
    .filter((m) => m.message_id > Number(after) && (!Number(onlyBot) || m.from?.id === b.me.id))
    .sort((x, y) => x.message_id - y.message_id);
  const stop = () => { b.listeners.delete(check); clearTimeout(timer); };
  const done = () => { stop(); if (!res.writableEnded) res.json({ ok: true, result: list() }); };
  const check = () => { if (list().length >= Number(count)) done(); };
  const timer = setTimeout(done, Math.min(Number(wait), 60) * 1000);
  b.listeners.add(check);
  res.on('close', stop);
  check();
});
app.get('/_emu/health', (_req, res) => res.json({ ok: true }));
app.use(server.webServer); // then the library's app: its client API, "Route not found"

// ------------------------------------------------------------------------- start / stop
server.webServer = app; // server.start() serves webServer
async function shutdown() {
  setTimeout(() => process.exit(0), 2000).unref(); // held requests must not keep us alive
  bots.forEach((b) => b.waiter?.finish());
  await server.stop();
  process.exit(0);
}
server.start().then(() => console.log(`READY ${server.server.address().port}`), (err) => {
  console.error(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`);
  process.exit(1);
});
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
if (argv.includes('--watch-stdin')) process.stdin.on('end', shutdown).resume();
