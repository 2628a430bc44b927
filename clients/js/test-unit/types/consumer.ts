// A consumer of the package's types, compiled with `tsc --strict` by types.test.js (once with the
// DOM library, once without) and then run against the fake socket: declarations that drift from
// the code fail one or the other.
import {
  CommandError,
  States,
  buildUrl,
  connect,
  describeClose,
  errorText,
  isGatewayFrame,
  newCommandId,
  parseSlowClose,
  type CluWsClient,
  type CommandErrorKind,
  type ConnectOptions,
  type Frame,
  type State,
  type StateDetail,
  type Subscription,
  type SubscriptionFilters,
  type WebSocketConstructor,
} from '@clu-ws/client';

/** What the run saw, for the test to check. */
export interface Outcome {
  states: State[];
  temperatures: number[];
  replies: string[];
  failure: CommandErrorKind | null;
  aborted: CommandErrorKind | null;
  url: string;
}

/** Plays a short session against `WebSocket` (the fake), driving the server side with `serve`. */
export async function run(
  WebSocket: WebSocketConstructor,
  serve: (client: CluWsClient) => Promise<void>,
): Promise<Outcome> {
  const options: ConnectOptions = {
    WebSocket,
    filters: { codes: [':', 'f', 'i', '>'] },
    getToken: async () => 'jwt-token',
    commandTimeout: 5_000,
    initialDelay: 10,
  };
  const client = connect('ws://gw.test/', options);
  const states: State[] = [];
  client.onState((state: State, detail: StateDetail) => {
    states.push(state);
    if (detail.slow) void detail.slow.messageId?.toUpperCase();
  });

  const temperatures: number[] = [];
  const filters: SubscriptionFilters = {
    actors: ['lvmecp'],
    keywords: 'temperature',
    match: (frame) => typeof frame.body.temperature === 'number',
  };
  const handle: Subscription = client.subscribe(filters, (frame: Frame) => {
    temperatures.push(frame.body.temperature as number);
  });

  const served = serve(client);
  await handle.ready;
  const replies = await client.command('lvmecp', 'status', { timeout: 1_000 });
  let failure: CommandErrorKind | null = null;
  try {
    await client.command('lvmecp', 'open');
  } catch (e) {
    if (e instanceof CommandError) failure = e.kind;
  }
  const controller = new AbortController();
  const pending = client.command('lvmecp', 'expose', { signal: controller.signal, commandId: newCommandId() });
  controller.abort('changed my mind');
  const aborted = await pending.then(
    () => null,
    (e: unknown) => (e instanceof CommandError ? e.kind : null),
  );
  await served;
  await handle.unsubscribe();

  const answer = await client.subscribe({ internal: false });
  void answer.subscription;
  const { frames, answer: snapshot } = await client.snapshot(['lvm*']);
  void frames.map((f) => isGatewayFrame(f) && errorText(f)).length;
  void snapshot.actors.toFixed();

  const open: State = States.OPEN;
  void open;
  void buildUrl('ws://gw.test/', { filters: { actors: 'lvmecp' }, since: 'abc', ownReplies: 'always' });
  void parseSlowClose('too slow; seq=1; message_id=-')?.seq;
  void describeClose({ code: 4001 });
  const url = client.url ?? '';
  client.close();
  return { states, temperatures, replies: replies.map((r) => r.headers.message_code), failure, aborted, url };
}

// Misuse the declarations must refuse (each line is an error, or tsc fails the test).
export function misuse(client: CluWsClient): void {
  // @ts-expect-error the consumer is a string
  void client.command(42, 'status');
  // @ts-expect-error a handle knows only the built-in filters
  client.subscribe({ actorz: 'lvmecp' }, () => {});
  // @ts-expect-error the listener gets a frame
  client.subscribe({ actors: 'x' }, (frame: number) => frame);
  // @ts-expect-error tokenIn is 'protocol' or 'query'
  connect('ws://x/', { tokenIn: 'header' });
  // @ts-expect-error getToken returns a string (or a promise of one)
  connect('ws://x/', { getToken: () => 42 });
  // @ts-expect-error an error kind is one of the documented ones
  const kind: CommandErrorKind = 'exploded';
  void kind;
  // @ts-expect-error ready is a promise, not a boolean
  const ready: boolean = client.subscribe({}, () => {}).ready;
  void ready;
}
