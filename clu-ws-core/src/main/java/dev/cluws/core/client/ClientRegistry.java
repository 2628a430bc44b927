package dev.cluws.core.client;

import java.util.Arrays;
import java.util.List;

/**
 * The connected clients: an array replaced on every connect and disconnect (copy-on-write), so the
 * fan-out reads it without locking. A client is added before anything is queued for it, and removed
 * once, when it closes ({@link ClientConnection#close()}); a client that is already closed is never
 * added.
 */
public final class ClientRegistry {
  private final Object lock = new Object();
  private volatile ClientConnection[] clients = new ClientConnection[0];

  /** Registers a client, unless it is closed already (its close found nothing to remove). */
  public void add(ClientConnection client) {
    synchronized (lock) {
      if (client.isClosed()) {
        return; // left already (its close found nothing to remove): never register it
      }
      ClientConnection[] current = clients;
      ClientConnection[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = client;
      clients = next;
    }
  }

  /** Forgets a client; idempotent. */
  public void remove(ClientConnection client) {
    synchronized (lock) {
      ClientConnection[] current = clients;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == client) {
          ClientConnection[] next = new ClientConnection[current.length - 1];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 1, next, i, current.length - i - 1);
          clients = next;
          return;
        }
      }
    }
  }

  /** The clients now, for the fan-out: never modified, replaced on every change. */
  public ClientConnection[] current() {
    return clients;
  }

  /** The connected clients, a snapshot. */
  public List<ClientConnection> clients() {
    return List.of(clients);
  }

  public int count() {
    return clients.length;
  }
}
