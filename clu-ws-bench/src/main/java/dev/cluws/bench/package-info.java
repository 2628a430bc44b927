/** The load tool ({@code load}) and the JMH benchmarks ({@code jmh}) of clu-ws. */
package dev.cluws.bench;
