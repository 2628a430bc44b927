package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/**
 * CPU time of the gateway, the broker, the load tool and the whole machine at one instant. Two
 * snapshots give the cores each used in between (1.0 = one core busy all the time).
 */
record CpuSnapshot(long wallNanos, long gateway, long broker, long self, long machine) {
  private static final long SELF = ProcessHandle.current().pid();

  static CpuSnapshot take(OptionalLong gatewayPid, OptionalLong brokerPid) {
    return new CpuSnapshot(
        System.nanoTime(),
        gatewayPid.isPresent() ? ProcStats.cpuNanos(gatewayPid.getAsLong()) : -1,
        brokerPid.isPresent() ? ProcStats.cpuNanos(brokerPid.getAsLong()) : -1,
        ProcStats.cpuNanos(SELF),
        ProcStats.machineBusyNanos());
  }

  /** Writes the cores used between {@code this} and {@code later} into {@code out}. */
  void writeCores(CpuSnapshot later, ObjectNode out) {
    long wall = later.wallNanos - wallNanos;
    out.put("gateway_cores", cores(gateway, later.gateway, wall));
    out.put("broker_cores", cores(broker, later.broker, wall));
    out.put("load_tool_cores", cores(self, later.self, wall));
    double busy = cores(machine, later.machine, wall);
    out.put("machine_busy_cores", busy);
    double ours = 0;
    for (double c :
        new double[] {
          cores(gateway, later.gateway, wall),
          cores(broker, later.broker, wall),
          cores(self, later.self, wall)
        }) {
      ours += Math.max(0, c);
    }
    // What other processes on the machine used meanwhile: a busy machine makes a run unfair.
    out.put("other_processes_cores", busy < 0 ? -1 : round(Math.max(0, busy - ours), 2));
    out.put("cpu_window_s", round(wall / 1e9, 3));
  }

  /** Cores the gateway used between {@code this} and {@code later}, or -1. */
  double gatewayCores(CpuSnapshot later) {
    return cores(gateway, later.gateway, later.wallNanos - wallNanos);
  }

  private static double cores(long before, long after, long wall) {
    if (before < 0 || after < 0 || wall <= 0) {
      return -1;
    }
    return round((after - before) / (double) wall, 2);
  }

  static double round(double v, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(v * scale) / scale;
  }
}
