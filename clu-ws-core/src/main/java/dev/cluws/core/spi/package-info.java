/**
 * The public SPIs of clu-ws and the values they pass: what a plugin compiles against.
 *
 * <p>Everything here is non-null unless marked {@link org.jspecify.annotations.Nullable}
 * (JSpecify's {@link org.jspecify.annotations.NullMarked}); NullAway checks it at build time. The
 * rules for changing this package (binary compatibility, default methods) are in the project's
 * {@code docs/plugins.md}, "SPI evolution".
 */
@NullMarked
package dev.cluws.core.spi;

import org.jspecify.annotations.NullMarked;
