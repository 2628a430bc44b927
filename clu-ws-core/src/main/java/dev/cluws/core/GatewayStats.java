package dev.cluws.core;

import dev.cluws.core.spi.Reply;
import java.util.concurrent.atomic.LongAdder;

/** The gateway's counters. Cheap to update from any thread; read with {@code sum()}. */
public final class GatewayStats {
  /** Valid replies the source delivered. */
  public final LongAdder repliesIn = new LongAdder();
  /** Frames written to websockets (all clients). */
  public final LongAdder framesOut = new LongAdder();
  /** Frames dropped because a client's outbox was full. */
  public final LongAdder framesShed = new LongAdder();
  /** Client frames that were not valid commands. */
  public final LongAdder invalidFrames = new LongAdder();
  /** Control frames (subscribe, unsubscribe, snapshot) received, valid or not. */
  public final LongAdder controlFrames = new LongAdder();
  /** Command acknowledgements sent to clients that asked for them. */
  public final LongAdder acksSent = new LongAdder();
  /** Valid command frames received. */
  public final LongAdder commandsReceived = new LongAdder();
  /** Commands the broker confirmed and routed. */
  public final LongAdder commandsPublished = new LongAdder();
  /** Commands the broker returned as unroutable (unknown consumer). */
  public final LongAdder commandsReturned = new LongAdder();
  /** Commands the access policy denied. */
  public final LongAdder commandsDenied = new LongAdder();
  /** Commands that could not be published. */
  public final LongAdder commandsFailed = new LongAdder();
  /** Exceptions thrown by reply filters (each counted as a denial). */
  public final LongAdder filterErrors = new LongAdder();
  /** Clients closed because their outbox stayed full past the slow-client timeout. */
  public final LongAdder slowClientsClosed = new LongAdder();
  /** Commands refused because the client exceeded its command rate. */
  public final LongAdder commandsRateLimited = new LongAdder();
  /** Upgrades refused because the gateway already served its maximum of clients. */
  public final LongAdder connectionsRefused = new LongAdder();
  /** Clients connected since start. */
  public final LongAdder clientsConnected = new LongAdder();

  /** Counts one reply the source delivered (called by the hub for every reply). */
  public void replyIn(Reply reply) {
    repliesIn.increment();
  }
}
