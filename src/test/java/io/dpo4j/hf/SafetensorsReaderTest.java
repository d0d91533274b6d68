package io.dpo4j.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading safetensors: what {@link Safetensors} writes comes back; F16 / BF16 / F64 convert; bad headers are named. */
class SafetensorsReaderTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsTheWriter() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, List.of(new Safetensors.Tensor("a", new long[] {2, 2}, new float[] {1, -2, 3.5f, 1e-8f}),
                new Safetensors.Tensor("b", new long[] {0}, new float[0])));
        Path f = Files.write(tmp.resolve("x.safetensors"), out.toByteArray());
        Map<String, Safetensors.Tensor> t = SafetensorsReader.read(f, 1 << 20);
        assertThat(t.keySet()).containsExactly("a", "b");
        assertThat(t.get("a").shape()).containsExactly(2, 2);
        assertThat(t.get("a").values()).containsExactly(1, -2, 3.5f, 1e-8f);
    }

    @Test
    void halfBfloatAndDoubleAreConverted() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(2 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f));                           // F16 1.5
        data.putShort((short) (Float.floatToRawIntBits(-2.75f) >>> 16));      // BF16 -2.75 (exact)
        data.putDouble(0.1);                                                  // F64 0.1
        String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
        Path f = file(h, data.array());
        Map<String, Safetensors.Tensor> t = SafetensorsReader.read(f, 1 << 20);
        assertThat(t.get("h").values()).containsExactly(1.5f);
        assertThat(t.get("b").values()).containsExactly(-2.75f);
        assertThat(t.get("d").values()).containsExactly(0.1f);
    }

    @Test
    void badHeadersAreNamed() throws Exception {
        Path f = file("{\"w\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        assertThatThrownBy(() -> SafetensorsReader.read(f, 1 << 20))
                .hasMessage(f + ": expected tensor 'w' dtype one of [F32, F16, BF16, F64], found 'I8'");
        Path g = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[8]);
        assertThatThrownBy(() -> SafetensorsReader.read(g, 1 << 20)).hasMessageContaining(
                "expected tensor 'w' data_offsets of 8 bytes inside the 8-byte data section, found [0,4]");
        Path h = Files.write(tmp.resolve("short"), new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> SafetensorsReader.read(h, 1 << 20))
                .hasMessage(h + ": expected a header length of 2..2 bytes, found 200");
        assertThatThrownBy(() -> SafetensorsReader.read(g, 10)).hasMessageContaining("expected at most 10 bytes");
    }

    private Path file(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return Files.write(tmp.resolve("t" + System.nanoTime() + ".safetensors"), b.array());
    }
}
