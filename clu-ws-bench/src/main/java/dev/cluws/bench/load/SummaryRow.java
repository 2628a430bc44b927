package dev.cluws.bench.load;

import java.util.List;

/** One row of the summary table printed after the runs. */
record SummaryRow(
    String scenario,
    String params,
    String rate,
    String vsBaseline,
    String errors,
    String latency,
    String gatewayCpu,
    String gatewayMemory,
    String note) {

  static final List<String> HEADERS =
      List.of(
          "scenario",
          "params",
          "replies/s: median client / all clients (or commands/s)",
          "vs baseline",
          "loss / dup / order",
          "latency p50 / p99 / max (ms)",
          "gateway CPU (cores)",
          "gateway memory",
          "notes");

  List<String> cells() {
    return List.of(
        scenario, params, rate, vsBaseline, errors, latency, gatewayCpu, gatewayMemory, note);
  }

  /** The rows as a Markdown table. */
  static String table(List<SummaryRow> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(String.join(" | ", HEADERS)).append(" |\n");
    sb.append("|").append(" --- |".repeat(HEADERS.size())).append('\n');
    for (SummaryRow row : rows) {
      sb.append("| ").append(String.join(" | ", row.cells())).append(" |\n");
    }
    return sb.toString();
  }
}
