// Type declarations of clu-ws.js, the clu-ws client. Checked by the package's tests: a consumer
// program compiles against them with `tsc --strict` and runs, and their exports and members are
// compared with the module's.
// They need no DOM or Node types (the few platform types are described structurally below).

/** A URL: text, or an object whose text is one (a URL). */
export type UrlLike = string | { readonly href: string };

/** Connection states reported to `onState` listeners. */
export declare const States: Readonly<{
  CONNECTING: 'connecting';
  OPEN: 'open';
  RECONNECTING: 'reconnecting';
  CLOSED: 'closed';
}>;

export type State = (typeof States)[keyof typeof States];

/** CLU message codes: `>` running, `:` done, `f` failed, `e` error, `w` warning, `i` info, `!`, `d` debug. */
export type MessageCode = '>' | ':' | 'f' | 'e' | 'w' | 'i' | '!' | 'd';

/** The headers of a reply frame. */
export interface FrameHeaders {
  command_id: string | null;
  commander_id: string | null;
  internal: boolean;
  message_code: MessageCode | string;
  sender: string;
  /** `true` on a snapshot frame (an actor's current state), never on a reply from the exchange. */
  snapshot?: boolean;
  [header: string]: unknown;
}

/** A reply frame, as CLU sends it; frames the gateway makes have `exchange` and `routing_key` `""`. */
export interface Frame<Body = Record<string, unknown>> {
  headers: FrameHeaders;
  exchange: string;
  message_id: string | null;
  routing_key: string;
  timestamp: string;
  body: Body;
  /** The gateway's number of the reply, with `resume` (`?seq=true`). */
  seq?: number;
}

/** A filter value: comma-separated text, a list, or a boolean or number (sent as text). */
export type FilterValue = string | readonly string[] | boolean | number;

/**
 * Connection-level filters: the gateway's filters by name (`actors`, `codes`, `own`,
 * `own.broadcasts`, `internal`, `keywords`, `routing`, or a plugin's); `null` removes one.
 */
export type ConnectionFilters = Record<string, FilterValue | null | undefined>;

/** What a subscription handle asks for; every filter given must accept a frame (AND). */
export interface SubscriptionFilters {
  /** Actor names or `*` patterns (`'lvmecp,lvm*'` or `['lvmecp', 'lvm*']`). */
  actors?: string | readonly string[];
  /** Message codes (`':f'` or `[':', 'f']`). */
  codes?: string | readonly string[];
  /** Body keywords: only replies with one of them, the body trimmed to them. */
  keywords?: string | readonly string[];
  /** `false`: no internal replies. */
  internal?: boolean;
  /** AMQP topic patterns of the routing key (`reply.broadcast`, `reply.#`). */
  routing?: string | readonly string[];
  /** Only replies to this client's commands (until their `:`/`f`). */
  own?: boolean;
  /** With `own`: broadcasts too. */
  'own.broadcasts'?: boolean;
  /** Also deliver the current state of the handle's actors (now, and after a gap). */
  snapshot?: boolean;
  /** Also deliver the gateway's own notices (broker status, replay notices, warnings). */
  gateway?: boolean;
  /** A last test of each frame, after the filters (the frame as the handle will see it). */
  match?: (frame: Frame) => boolean;
}

/** The part of an AbortSignal the client uses (a DOM or Node AbortSignal fits). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The part of a WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket implementation: the browser's, Node's, or `ws`'s. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ConnectOptions {
  /** The WebSocket implementation; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor | (abstract new (...args: any[]) => unknown);
  /** Connection-level filters, sent in the query string. */
  filters?: ConnectionFilters;
  /** The gateway sends each actor's current state first. */
  snapshot?: boolean;
  /** The gateway acknowledges each command once the broker has it. */
  acks?: boolean;
  /** `'latest'`: a slow client loses the oldest informational frames instead of being closed. */
  policy?: 'complete' | 'latest';
  /** A bearer token. */
  token?: string;
  /** Called at every (re)connect for the token to send (e.g. a fresh JWT); wins over `token`. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Where the token goes: `'protocol'` (default; `Sec-WebSocket-Protocol: clu-ws, bearer.<token>`) or `'query'` (`?token=`). */
  tokenIn?: 'protocol' | 'query';
  /** `'always'` (default): replies to this client's commands pass its filters; `'filtered'`: they do not. */
  ownReplies?: 'always' | 'filtered';
  /** `false`: a dropped connection stays closed. */
  reconnect?: boolean;
  /** ms before the first reconnect attempt (default 500). */
  initialDelay?: number;
  /** Bound of the backoff in ms (default 30000). */
  maxDelay?: number;
  /** Backoff factor (default 2). */
  factor?: number;
  /** Up to this fraction of each delay is taken off at random (default 0.5). */
  jitter?: number;
  /** Failed attempts in a row before giving up (default Infinity). */
  maxAttempts?: number;
  /** A connection open this long (ms) resets the backoff (default 5000). */
  stableAfter?: number;
  /** Numbered frames, and a reconnect that resumes after the last reply seen (default true). */
  resume?: boolean;
  /** Frames kept while not connected (default 256). */
  maxQueued?: number;
  /** Default timeout of a command in ms (default 0: none). */
  commandTimeout?: number;
  /** How long to wait for the gateway's answer to a control frame, in ms (default 10000). */
  controlTimeout?: number;
}

/** Details of a state change. */
export interface StateDetail {
  /** The close code (also 1006 for a connection that could not be made). */
  code?: number;
  reason?: string;
  /** The close in words. */
  text?: string;
  /** Reconnect attempt number. */
  attempt?: number;
  /** ms until the next attempt. */
  delay?: number;
  /** The resume point the gateway gave when it closed a slow client (code 4001). */
  slow?: SlowClose;
}

/** The resume point in the reason of a slow-client close. */
export interface SlowClose {
  seq: number | null;
  messageId: string | null;
}

export interface CommandOptions {
  /** The command id; default a new uuid. */
  commandId?: string | number;
  /** Reject after this many ms without a final reply (default the client's `commandTimeout`). */
  timeout?: number;
  /** Abort waiting (and sending, if it has not gone out yet). */
  signal?: AbortSignalLike;
}

/** The gateway's answer to `subscribe`/`unsubscribe`. */
export interface SubscribeAnswer {
  control: 'subscribe' | 'unsubscribe';
  subscription: Record<string, string[]>;
  text: string;
  [field: string]: unknown;
}

/** The gateway's answer to a snapshot request. */
export interface SnapshotAnswer {
  control: 'snapshot';
  actors: number;
  text: string;
  [field: string]: unknown;
}

/** Why a command ended without success. */
export type CommandErrorKind = 'failed' | 'refused' | 'unknown' | 'timeout' | 'aborted' | 'closed' | 'unsent';

/** How a command, control frame or delivery failed. */
export declare class CommandError extends Error {
  constructor(
    message: string,
    options?: {
      commandId?: string | null;
      replies?: Frame[];
      error?: string;
      frame?: Frame | null;
      kind?: CommandErrorKind;
      cause?: unknown;
    },
  );
  readonly name: 'CommandError';
  /** The command's id. */
  commandId: string | null;
  /** Every reply received for it. */
  replies: Frame[];
  /** The actor's or gateway's error text (or the message). */
  error: string;
  /** The reply that failed it, if one did. */
  frame: Frame | null;
  /** Why it ended. */
  kind: CommandErrorKind;
}

/** One subscription of a client, made by `client.subscribe(filters, onReply)`. */
export declare class Subscription {
  private constructor();
  /** Resolves once the gateway's subscription covers this handle; rejects if it refused it. */
  readonly ready: Promise<void>;
  /** The filters and options it was made with. */
  readonly filters: Readonly<SubscriptionFilters>;
  /** False once unsubscribed, refused, or the client closed. */
  readonly active: boolean;
  readonly client: CluWsClient;
  /** Stops its listener at once; resolves when the gateway's subscription is narrowed. */
  unsubscribe(): Promise<void>;
}

/** A connection to a gateway that reconnects by itself until `close()`. */
export declare class CluWsClient {
  constructor(url: string | UrlLike, options?: ConnectOptions);
  readonly state: State;
  /** The connection-level filters. */
  readonly subscription: ConnectionFilters;
  /** The subscription handles in use. */
  readonly subscriptions: Subscription[];
  /** False when own replies are filtered: `ownReplies: 'filtered'`, or a gateway that does not know the option. */
  readonly ownRepliesHonoured: boolean;
  /** The URL of the latest connection. */
  readonly url: string | null;
  onReply(callback: (frame: Frame) => void): () => void;
  onState(callback: (state: State, detail: StateDetail) => void): () => void;
  ready(): Promise<this>;
  /** Resolves with every reply to the command when its `:` arrives; rejects with a `CommandError`. */
  command(consumer: string, commandString: string, options?: CommandOptions): Promise<Frame[]>;
  /** A handle with its own filters and listener. */
  subscribe(
    filters: SubscriptionFilters,
    onReply: (frame: Frame) => void,
    options?: { signal?: AbortSignalLike },
  ): Subscription;
  /** Adds or replaces connection-level filters. */
  subscribe(filters: ConnectionFilters): Promise<SubscribeAnswer>;
  /** Removes connection-level filters (all of them without `names`). */
  unsubscribe(names?: string | readonly string[]): Promise<SubscribeAnswer>;
  snapshot(actors?: string | readonly string[]): Promise<{ frames: Frame[]; answer: SnapshotAnswer }>;
  send(frame: string | object): void;
  close(code?: number, reason?: string): void;
}

export declare function connect(url: string | UrlLike, options?: ConnectOptions): CluWsClient;

export declare function buildUrl(
  url: string | UrlLike,
  parameters?: {
    filters?: ConnectionFilters;
    seq?: boolean;
    since?: string | number;
    snapshot?: boolean;
    acks?: boolean;
    token?: string;
    ownReplies?: 'always' | 'filtered';
    policy?: 'complete' | 'latest';
  },
): string;

export declare function newCommandId(): string;

export declare function isGatewayFrame(frame: Frame | null | undefined): boolean;

export declare function errorText(frame: Frame | null | undefined): string;

export declare function parseSlowClose(reason: string | null | undefined): SlowClose | null;

export declare function describeClose(
  detail?: { code?: number; reason?: string },
  options?: { opened?: boolean; withCode?: boolean },
): string;
