/**
 * The Django Channels examples (seed 001), translated into Starwire consumers. docs/consumers.md
 * shows this code section by section, and spec/samples/channels-seed.spec.ts runs every example.
 *
 *   npx tsc -p . && node dist/samples/channels/consumers.js   # PORT (8000) and HOST (127.0.0.1) apply
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  App,
  type ChannelMessage,
  inject,
  JsonWebSocketConsumer,
  Message,
  PathParam,
  QueryParam,
  Route,
  WebSocketConsumer,
  WebSocketRoute,
} from '../../index';

/** Where the examples' `print()` calls go: the console, unless a test captures them. */
export const output = {
  print(line: string): void {
    console.log(line);
  },
};

// --- Basic WebSocket consumer ---

export class EchoConsumer extends WebSocketConsumer {
  override connect(): Promise<void> {
    output.print('Client connected');
    return this.accept();
  }

  override disconnect(code: number): void {
    output.print(`Client disconnected with code ${code}`);
  }

  override receive(text?: string, bytes?: Buffer): Promise<void> {
    output.print(`Received: ${text ?? `${bytes?.length} bytes`}`);
    // Binary frames come in `bytes` and go back as they came.
    return this.send(text !== undefined ? `Echo: ${text}` : bytes!);
  }
}

// --- Async WebSocket consumer ---

export class AsyncEchoConsumer extends WebSocketConsumer {
  override async connect(): Promise<void> {
    output.print('Client connected');
    await this.accept();
  }

  override async disconnect(code: number): Promise<void> {
    output.print(`Client disconnected with code ${code}`);
  }

  override async receive(text?: string): Promise<void> {
    output.print(`Received: ${text}`);
    await this.send(`Echo: ${text}`);
  }
}

// --- JSON WebSocket consumer ---

const chatContent = {
  type: 'object',
  properties: { type: { type: 'string' }, user: { type: 'string' }, text: { type: 'string' } },
} as const;

export class JsonChatConsumer extends JsonWebSocketConsumer {
  override async connect(): Promise<void> {
    await this.accept();
    await this.sendJson({ type: 'welcome', message: 'Connected to chat!' });
  }

  // The schema turns `content.get(...)` guesswork into a typed object; anything else closes 1007.
  @inject([Message(chatContent)])
  override async receiveJson(content: { type?: string; user?: string; text?: string }): Promise<void> {
    if (content.type === 'chat.message') {
      // To every client of a room: see ChatRoomConsumer.
      await this.sendJson({ type: 'chat.message', user: content.user, text: content.text });
    }
  }

  override disconnect(code: number): void {
    output.print(`Client disconnected: ${code}`);
  }
}

// --- Using channel layers for broadcasting ---

/** What a room sends its members through the channel layer. */
interface ChatEvent extends ChannelMessage {
  readonly message: string;
}

export class ChatRoomConsumer extends JsonWebSocketConsumer {
  readonly roomName = 'general';
  // Joined before connect() runs and left after disconnect(): no group bookkeeping to write.
  override groups = [`chat_${this.roomName}`];

  override async connect(): Promise<void> {
    await this.accept();
    await this.sendJson({ type: 'system', message: `Welcome to ${this.roomName}!` });
  }

  @inject([Message({ type: 'object', properties: { message: { type: 'string' } } } as const)])
  override async receiveJson(content: { message?: string }): Promise<void> {
    const event: ChatEvent = { type: 'chat.message', message: content.message ?? '' };
    await this.groupSend(`chat_${this.roomName}`, event);
  }

  /** Layer messages of type `chat.message` land here. */
  async chatMessage(event: ChatEvent): Promise<void> {
    await this.sendJson({ type: 'message', message: event.message });
  }
}

// --- URL routing ---

export class ChatConsumer extends WebSocketConsumer {
  override receive(text?: string): Promise<void> {
    return this.send(`Chat: ${text}`);
  }
}

export class NotificationConsumer extends WebSocketConsumer {
  override receive(text?: string): Promise<void> {
    return this.send(`Notification: ${text}`);
  }
}

export const websocketUrlpatterns = [
  new WebSocketRoute('/ws/chat/', ChatConsumer),
  new WebSocketRoute('/ws/notifications/', NotificationConsumer),
];

// --- Protocol type routing ---

export class MyWebSocketConsumer extends WebSocketConsumer {
  override async connect(): Promise<void> {
    await this.accept();
  }
}

/** HTTP and WebSocket routes side by side: the request's protocol picks the route. */
export function protocolTypeApp(): App {
  return new App({
    routes: [new Route('/', 'GET', () => ({ hello: 'http' })), new WebSocketRoute('/ws/', MyWebSocketConsumer)],
  });
}

// --- Database sync to async ---

interface UserInfo {
  id: number;
  username: string;
  email: string;
}

export class UserConsumer extends JsonWebSocketConsumer {
  override async connect(): Promise<void> {
    await this.accept();
    const user = await this.getUser(123);
    await this.sendJson({ type: 'user_info', user });
  }

  // Node has no worker thread to hop to: a database driver is already asynchronous, so a
  // query is simply awaited, and the consumer's other messages wait their turn meanwhile.
  private async getUser(userId: number): Promise<UserInfo> {
    await nextTurn(); // stands in for the driver's round trip
    return { id: userId, username: 'john_doe', email: 'john@example.com' };
  }
}

// --- Complete chat application ---

const roomName = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,50}$' } as const;
const username = { type: 'string', minLength: 1, maxLength: 50, default: 'Anonymous' } as const;

/** Join, leave and chat events of one room, as they travel through the channel layer. */
interface RoomEvent extends ChannelMessage {
  readonly username: string;
  /** The channel of the consumer that sent it, so it can skip its own join and leave notices. */
  readonly sender?: string;
  readonly message?: string;
}

export class ChatAppConsumer extends JsonWebSocketConsumer {
  private roomGroupName = '';
  private username = '';

  // The room comes from the path (/ws/chat/{room}/) and the name from ?username=; both are
  // validated before the handshake completes, so a bad room name is answered with HTTP 400.
  @inject([PathParam('room', roomName), QueryParam('username', username)])
  override async connect(room: string, name: string): Promise<void> {
    this.roomGroupName = `chat_${room}`;
    this.username = name;
    await this.channelLayer.groupAdd(this.roomGroupName, this.channelName);
    await this.accept();
    await this.groupSend(this.roomGroupName, { type: 'user.join', username: this.username, sender: this.channelName });
  }

  override async disconnect(): Promise<void> {
    await this.channelLayer.groupDiscard(this.roomGroupName, this.channelName);
    await this.groupSend(this.roomGroupName, { type: 'user.leave', username: this.username, sender: this.channelName });
  }

  @inject([
    Message({
      type: 'object',
      properties: { type: { type: 'string' }, username: { type: 'string' }, message: { type: 'string' } },
    } as const),
  ])
  override async receiveJson(content: { type?: string; username?: string; message?: string }): Promise<void> {
    if (content.type === 'chat_message') {
      await this.groupSend(this.roomGroupName, {
        type: 'chat.message',
        username: content.username ?? this.username,
        message: content.message ?? '',
      });
    }
  }

  async chatMessage(event: RoomEvent): Promise<void> {
    await this.sendJson({ type: 'message', username: event.username, message: event.message });
  }

  async userJoin(event: RoomEvent): Promise<void> {
    if (event.sender !== this.channelName) await this.sendJson({ type: 'user_joined', username: event.username });
  }

  async userLeave(event: RoomEvent): Promise<void> {
    await this.sendJson({ type: 'user_left', username: event.username });
  }
}

/** What the room chat sends, by `type`: declared so the app's AsyncAPI document lists it. */
const chatAppOptions = {
  summary: 'A chat room: join with ?username=, send chat_message, receive what everyone says',
  sends: {
    message: { type: 'object', properties: { type: { const: 'message' }, username: { type: 'string' }, message: { type: 'string' } } },
    user_joined: { type: 'object', properties: { type: { const: 'user_joined' }, username: { type: 'string' } } },
    user_left: { type: 'object', properties: { type: { const: 'user_left' }, username: { type: 'string' } } },
  },
} as const;

export function chatApplication(): App {
  return new App({ routes: [new WebSocketRoute('/ws/chat/{room}/', ChatAppConsumer, chatAppOptions)] });
}

// --- Every example in one app ---

export function createApp(): App {
  return new App({
    routes: [
      new Route('/', 'GET', () => ({ hello: 'http' })),
      new WebSocketRoute('/ws/', MyWebSocketConsumer),
      new WebSocketRoute('/ws/echo/', EchoConsumer),
      new WebSocketRoute('/ws/echo/async/', AsyncEchoConsumer),
      new WebSocketRoute('/ws/json/', JsonChatConsumer),
      new WebSocketRoute('/ws/room/', ChatRoomConsumer),
      new WebSocketRoute('/ws/user/', UserConsumer),
      ...websocketUrlpatterns,
      new WebSocketRoute('/ws/chat/{room}/', ChatAppConsumer, chatAppOptions),
    ],
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  createApp()
    .listen(port, host)
    .then(() => {
      console.log(
        `Channels examples on ws://${host}:${port}/ws/ (echo/, echo/async/, json/, room/, user/, chat/, notifications/, chat/{room}/)`,
      );
    });
}
