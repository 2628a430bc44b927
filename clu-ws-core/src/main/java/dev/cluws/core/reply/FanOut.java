package dev.cluws.core.reply;

import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one reply to many clients: for each, its role's visibility, then its {@code own_replies}
 * rule or its filter chain; encodes each distinct result once and offers the frame to the client
 * ({@link ClientConnection#deliver}, which asks the visibility again, last). Runs on the thread
 * that calls it (the source's delivery thread, under the hub's lock) and never waits on a client.
 */
final class FanOut {
  private static final Logger log = LoggerFactory.getLogger(FanOut.class);

  private final FrameCodec codec;

  FanOut(FrameCodec codec) {
    this.codec = codec;
  }

  /**
   * Offers the reply to every target whose chain accepts it, encoding each distinct result once:
   * clients whose filters leave the reply unchanged share one frame, and clients whose filters
   * rewrite it to equal replies (the same keywords kept, say) share another. Returns the reply's
   * plain frame if a client needed it, else {@code null}.
   */
  @SuppressWarnings("ReferenceEquality") // the same instance: no filter rewrote the reply
  EncodedFrame deliver(Reply reply, long seq, ClientConnection[] targets) {
    EncodedFrame shared = null;
    EncodedFrame numbered = null;
    Map<Reply, EncodedFrame[]> rewritten = null;
    Reply lastOut = null;
    EncodedFrame[] lastFrames = null;
    String finishedCommand =
        reply.messageCode().map(MessageCode::isFinal).orElse(false) ? reply.commandId() : null;
    for (ClientConnection client : targets) {
      try {
        Reply out;
        if (!client.sees(reply)) {
          out = null;
        } else if (client.ownReplyAlways(reply)) {
          out = reply;
        } else {
          out = client.chain().apply(reply, client);
        }
        // Whether or not it receives the reply, the client's command is over.
        boolean ownFinal =
            finishedCommand != null && client.commandFinished(reply.sender(), finishedCommand);
        if (out == null) {
          continue;
        }
        boolean wantsNumber = client.numbered() && seq > 0;
        EncodedFrame frame;
        if (out != reply) {
          EncodedFrame[] frames;
          if (out == lastOut) {
            frames = lastFrames; // filters that share their results: no hashing of the reply
          } else {
            if (rewritten == null) {
              rewritten = new HashMap<>();
            }
            frames = rewritten.computeIfAbsent(out, r -> new EncodedFrame[2]);
            lastOut = out;
            lastFrames = frames;
          }
          int slot = wantsNumber ? 1 : 0;
          if (frames[slot] == null) {
            frames[slot] = codec.encode(out, seq, wantsNumber);
          }
          frame = frames[slot];
        } else if (wantsNumber) {
          if (numbered == null) {
            numbered = codec.encode(reply, seq, true);
          }
          frame = numbered;
        } else {
          if (shared == null) {
            shared = codec.encode(reply, seq);
          }
          frame = shared;
        }
        client.deliver(frame, ownFinal);
      } catch (RuntimeException e) {
        log.error("could not deliver reply {} to client {}", seq, client.id(), e);
      }
    }
    return shared;
  }
}
