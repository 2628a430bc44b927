package dev.cluws.amqp.testing;

import dev.cluws.testkit.TestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 (an ephemeral port) in front of the test broker, so a test can take the
 * broker away from the clients that connect through it — and give it back — without restarting the
 * RabbitMQ that every test shares. Clients that connect to the broker directly are not affected.
 *
 * <ul>
 *   <li>{@link #cut()}: resets every proxied connection on both sides (the client sees a connection
 *       reset, the broker a dropped client) and resets every new connection at once, until {@link
 *       #restore()};
 *   <li>{@link #partition()}: like a network partition seen from the client: resets the client side
 *       of every proxied connection but leaves the broker side open and silent, so the broker still
 *       believes the old connections alive (and keeps their exclusive queues) until {@link
 *       #releaseBrokerSides()}, {@link #cut()} or {@link #close()};
 *   <li>{@link #stall()}: keeps every connection open but passes no more bytes either way, until
 *       {@link #cut()} or {@link #restore()}.
 * </ul>
 *
 * <p>Plain blocking sockets: one acceptor thread and two pump threads per connection, all daemons,
 * at most {@value #MAX_CONNECTIONS} connections at a time (more are reset). {@link #close()} closes
 * every socket and waits for every thread to end.
 */
public final class TcpProxy implements AutoCloseable {
  /** Connections proxied at the same time; more are reset at once. */
  public static final int MAX_CONNECTIONS = 32;

  private static final int BUFFER_BYTES = 16 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  private static final long JOIN_MILLIS = 5000;

  private final InetSocketAddress upstream;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Object lock = new Object();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Socket> brokerSides = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private boolean cut;
  private volatile boolean stalled;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress upstream) {
    this.upstream = upstream;
    try {
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy to the test broker, {@link TestBroker#HOST}:{@link TestBroker#PORT}. */
  public static TcpProxy toTestBroker() {
    return to(TestBroker.HOST, TestBroker.PORT);
  }

  /** A proxy to {@code host:port}. */
  public static TcpProxy to(String host, int port) {
    return new TcpProxy(new InetSocketAddress(host, port));
  }

  /** The port the proxy listens on (on 127.0.0.1). */
  public int port() {
    return listener.getLocalPort();
  }

  /** Resets every proxied connection on both sides; new connections are reset until restored. */
  public void cut() {
    List<Link> victims;
    synchronized (lock) {
      cut = true;
      victims = dropHeldBytes();
    }
    for (Link link : victims) {
      link.reset(true);
    }
    releaseBrokerSides();
  }

  /**
   * Resets the client side of every proxied connection and leaves its broker side open and silent;
   * new connections are reset until restored.
   */
  public void partition() {
    List<Link> victims;
    synchronized (lock) {
      cut = true;
      victims = dropHeldBytes();
    }
    for (Link link : victims) {
      link.reset(false);
    }
  }

  /**
   * Ends the stall for a cut: marks every link done before the stalled pumps wake, so that bytes a
   * stall held die with their connection instead of slipping through before its reset (a command
   * held by {@link #stall()} then reached the broker and had its confirm back during the {@link
   * #cut()}). Called holding the lock; returns the links to reset.
   */
  private List<Link> dropHeldBytes() {
    List<Link> victims = new ArrayList<>(links);
    for (Link link : victims) {
      link.done = true;
    }
    stalled = false;
    lock.notifyAll();
    return victims;
  }

  /** Closes the broker sides that {@link #partition()} left open, as a broker would eventually. */
  public void releaseBrokerSides() {
    for (Socket socket : List.copyOf(brokerSides)) {
      brokerSides.remove(socket);
      reset(socket);
    }
  }

  /** Holds every byte in both directions, keeping the connections open. */
  public void stall() {
    synchronized (lock) {
      stalled = true;
    }
  }

  /** Accepts and forwards connections again, and lets stalled bytes through. */
  public void restore() {
    synchronized (lock) {
      cut = false;
      stalled = false;
      lock.notifyAll();
    }
  }

  /** Connections forwarded to the broker so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** Connections reset at once because the proxy was cut (or full) so far. */
  public int refusedConnections() {
    return refused.get();
  }

  /** Connections being forwarded now. */
  public int openConnections() {
    return links.size();
  }

  /** Stops listening, resets every connection and waits for every thread of the proxy to end. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    cut();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
    List<Thread> all = new ArrayList<>(threads);
    all.add(acceptor);
    for (Thread thread : all) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        thread.join(Math.max(1, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (thread.isAlive()) {
        throw new IllegalStateException("proxy thread " + thread.getName() + " did not end");
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      open(client);
    }
  }

  private void open(Socket client) {
    synchronized (lock) {
      if (cut || closed || links.size() >= MAX_CONNECTIONS) {
        refused.incrementAndGet();
        reset(client);
        return;
      }
    }
    Socket broker = new Socket();
    try {
      broker.connect(upstream, CONNECT_TIMEOUT_MILLIS);
      client.setTcpNoDelay(true);
      broker.setTcpNoDelay(true);
    } catch (IOException e) {
      refused.incrementAndGet();
      reset(client);
      reset(broker);
      return;
    }
    Link link = new Link(client, broker);
    synchronized (lock) {
      if (cut || closed) { // cut while connecting upstream
        refused.incrementAndGet();
        reset(client);
        reset(broker);
        return;
      }
      links.add(link);
      accepted.incrementAndGet();
      link.start();
    }
  }

  /** Waits while the proxy is stalled; false when the link must stop. */
  private boolean awaitFlowing(Link link) {
    if (!stalled) {
      return !link.done;
    }
    synchronized (lock) {
      while (stalled && !link.done) {
        try {
          lock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return !link.done;
    }
  }

  /** Closes a socket so that the peer sees a reset, not an orderly end. */
  private static void reset(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException e) {
      // closing anyway
    }
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** One proxied connection: the client's socket, the broker's, and a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket broker;
    volatile boolean done;

    Link(Socket client, Socket broker) {
      this.client = client;
      this.broker = broker;
    }

    void start() {
      pump(client, broker, "up");
      pump(broker, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  copy(from, to);
                } finally {
                  threads.remove(Thread.currentThread());
                }
              },
              "tcp-proxy-" + port() + "-" + direction + "-" + from.getPort());
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    private void copy(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (!awaitFlowing(this)) {
            return;
          }
          out.write(buffer, 0, n);
        }
        // An orderly end on one side ends the whole connection.
        reset(true);
      } catch (IOException e) {
        // A reset (by the proxy or a peer) ends this direction; the other one follows.
        if (!done) {
          reset(true);
        }
      }
    }

    /** Resets the client side, and the broker side too unless it is left open (partition). */
    void reset(boolean brokerSideToo) {
      done = true;
      links.remove(this);
      TcpProxy.reset(client);
      if (brokerSideToo) {
        TcpProxy.reset(broker);
      } else {
        brokerSides.add(broker);
      }
    }
  }
}
