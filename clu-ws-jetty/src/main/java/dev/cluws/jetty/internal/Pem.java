package dev.cluws.jetty.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM text to DER bytes with the JDK's Base64; the keys and certificates are parsed by the JDK. */
public final class Pem {
  private Pem() {}

  /**
   * The DER bytes of the first PEM block of the given type (e.g. {@code PUBLIC KEY}).
   *
   * @throws IllegalArgumentException when there is no such block or it is not Base64
   */
  public static byte[] decode(String pem, String type) {
    List<byte[]> blocks = decodeAll(pem, type);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no '-----BEGIN " + type + "-----' block");
    }
    return blocks.get(0);
  }

  /** The DER bytes of every PEM block of the given type, in order. */
  public static List<byte[]> decodeAll(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    List<byte[]> blocks = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = pem.indexOf(begin, from);
      if (start < 0) {
        return blocks;
      }
      int stop = pem.indexOf(end, start);
      if (stop < 0) {
        throw new IllegalArgumentException("'" + begin + "' without '" + end + "'");
      }
      String body = pem.substring(start + begin.length(), stop).replaceAll("\\s", "");
      blocks.add(Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII)));
      from = stop + end.length();
    }
  }

  /** The types of the PEM blocks in the text (e.g. {@code PRIVATE KEY}, {@code CERTIFICATE}). */
  public static List<String> types(String pem) {
    List<String> types = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = pem.indexOf("-----BEGIN ", from);
      if (start < 0) {
        return types;
      }
      int close = pem.indexOf("-----", start + 11);
      if (close < 0) {
        return types;
      }
      types.add(pem.substring(start + 11, close));
      from = close + 5;
    }
  }
}
