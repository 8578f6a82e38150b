package org.mqworkbook.dispatch.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.routing.ExchangeType;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * The broker's durable catalogue of exchanges and bindings: replayed on open, a failed write leaves
 * neither memory nor disk with the binding, a damaged file is refused by name. Given code (direct and
 * fanout routing are given too), so it passes on the untouched skeleton. README section "Exchanges served
 * by the broker".
 */
@Timeout(10)
class ExchangeCatalogTest {
    @TempDir
    Path dir;

    @Test
    void exchangesAndBindingsAreReplayedWhenTheCatalogueOpensAgain() throws IOException {
        ExchangeCatalog before = ExchangeCatalog.open(dir, FileOpener.REAL);
        before.declare("logs", ExchangeType.FANOUT);
        before.declare("direct_logs", ExchangeType.DIRECT);
        before.declare("documents", ExchangeType.HEADERS);
        before.bind("logs", "receiver-1", "");
        before.bind("direct_logs", "errors", "error");
        before.bind("direct_logs", "errors", "error"); // the same binding twice is one binding
        before.bind("documents", "pdf", Map.of("x-match", new HeaderValue.Text("all"),
            "format", new HeaderValue.Text("pdf"), "pages", new HeaderValue.Integral(3),
            "ratio", new HeaderValue.Floating(0.5), "signed", new HeaderValue.Bool(true),
            "draft", new HeaderValue.NoValue()));

        ExchangeCatalog after = ExchangeCatalog.open(dir, FileOpener.REAL);

        assertThat(after.exchanges()).isEqualTo(Map.of("logs", ExchangeType.FANOUT,
            "direct_logs", ExchangeType.DIRECT, "documents", ExchangeType.HEADERS));
        assertThat(after.route("logs", "anything", Map.of())).containsExactly("receiver-1");
        assertThat(after.route("direct_logs", "error", Map.of())).containsExactly("errors");
        assertThat(after.bindings("direct_logs")).isEqualTo(1);
        assertThat(after.bindings("documents")).as("the headers binding, with every type of argument").isEqualTo(1);
    }

    @Test
    void aBindingWhoseCheckpointCannotBeWrittenIsNeitherInMemoryNorOnDisk() throws IOException {
        CrashSimulator disk = new CrashSimulator(7);
        ExchangeCatalog catalog = ExchangeCatalog.open(dir, disk::open);
        catalog.declare("direct_logs", ExchangeType.DIRECT);
        catalog.bind("direct_logs", "errors", "error");

        disk.setDiskFull(true);
        assertThatThrownBy(() -> catalog.bind("direct_logs", "warnings", "warning")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> catalog.declare("more", ExchangeType.FANOUT)).isInstanceOf(IOException.class);
        disk.setDiskFull(false);

        assertThat(catalog.route("direct_logs", "warning", Map.of())).as("not acknowledged, so not routed either")
            .isEmpty();
        assertThat(catalog.route("direct_logs", "error", Map.of())).as("what was there stays")
            .containsExactly("errors");
        assertThat(catalog.exchanges()).containsOnlyKeys("direct_logs");
        ExchangeCatalog reopened = ExchangeCatalog.open(dir, FileOpener.REAL);
        assertThat(reopened.bindings("direct_logs")).isEqualTo(1);
    }

    @Test
    void aDamagedCatalogueIsRefusedNamingItsFile() throws IOException {
        ExchangeCatalog.open(dir, FileOpener.REAL).declare("logs", ExchangeType.FANOUT);
        Path file = dir.resolve(ExchangeCatalog.FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x5A;
        Files.write(file, bytes);

        assertThatThrownBy(() -> ExchangeCatalog.open(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining(ExchangeCatalog.FILE);
    }

    @Test
    void aHeadersBindingIsBoundedInArgumentsAndTheirSize() throws IOException {
        ExchangeCatalog catalog = ExchangeCatalog.open(dir, FileOpener.REAL);
        catalog.declare("documents", ExchangeType.HEADERS);
        Map<String, HeaderValue> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= ExchangeCatalog.MAX_ARGUMENTS; i++) {
            many.put("h" + i, new HeaderValue.Integral(i));
        }

        assertThatThrownBy(() -> catalog.bind("documents", "q", many)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("33 arguments");
        Map<String, HeaderValue> long256 = Map.of("format", new HeaderValue.Text("x".repeat(256)));
        assertThatThrownBy(() -> catalog.bind("documents", "q", long256))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255 bytes");
        assertThat(catalog.bindings("documents")).as("nothing was bound").isZero();
    }

    @Test
    void theNumberOfExchangesIsBounded() throws IOException {
        // A simulated disk: a thousand real fsyncs would make the test slow for no reason.
        ExchangeCatalog catalog = ExchangeCatalog.open(dir, new CrashSimulator(3)::open);
        for (int i = 0; i < ExchangeCatalog.MAX_EXCHANGES; i++) {
            catalog.declare("e" + i, ExchangeType.DIRECT);
        }

        assertThatThrownBy(() -> catalog.declare("one-more", ExchangeType.DIRECT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }
}
