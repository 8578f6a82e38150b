package org.mqworkbook.dispatch.broker;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.mqworkbook.dispatch.routing.Exchange;
import org.mqworkbook.dispatch.routing.ExchangeType;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * The broker's exchanges and their bindings (exercise 7.4's {@link Exchange}s), durable: every declare
 * and bind is written to a checkpoint file — chapter 6's {@link CheckpointFile}: temporary file, fsync,
 * rename, fsync of the directory — before it is acknowledged, and replayed when the broker opens. A
 * RabbitMQ broker keeps its durable exchanges and bindings in its metadata store the same way
 * (Mnesia, and Khepri since 3.13), apart from the messages. Methods are thread safe: each is
 * {@code synchronized}; routing holds the catalogue's lock only to find the exchange.
 *
 * <p>A binding is applied to the live {@link Exchange} first, which refuses what it must refuse (a key
 * too long, too many {@code #}, too many bindings) before anything is written; if writing the checkpoint
 * then fails, the exchange is rebuilt from the bindings that are on disk, so memory never holds a binding
 * that a restart would lose.
 */
public final class ExchangeCatalog {
    /** The checkpoint's name inside the broker's directory. */
    public static final String FILE = "exchanges.checkpoint";
    /** The most exchanges a broker declares: each costs memory for as long as it exists. */
    public static final int MAX_EXCHANGES = 1000;
    /** The most arguments one headers binding may carry: each is compared for every published message. */
    public static final int MAX_ARGUMENTS = 32;
    /** The longest argument name or text value, in UTF-8 bytes: an AMQP short string. */
    public static final int MAX_ARGUMENT_BYTES = 255;
    /**
     * The largest catalogue written, in bytes: far below what {@link CheckpointFile} reads back, so that a
     * catalogue that was acknowledged can always be opened again.
     */
    public static final int MAX_CATALOGUE_BYTES = 8 << 20;
    private static final String KIND = "EXCH";
    private static final int VERSION = 1;

    /** One binding as declared: a key for DIRECT, FANOUT and TOPIC, arguments for HEADERS. */
    private record Binding(String exchange, String queue, String key, Map<String, HeaderValue> arguments) {
    }

    private final CheckpointFile file;
    /** Name → type, in name order. Guarded by this. */
    private final Map<String, ExchangeType> types = new TreeMap<>();
    /** Every binding in the order it was made. Guarded by this. */
    private final List<Binding> bindings = new ArrayList<>();
    /** Name → the live exchange, rebuilt from {@code types} and {@code bindings}. Guarded by this. */
    private final Map<String, Exchange> exchanges = new TreeMap<>();

    private ExchangeCatalog(CheckpointFile file) {
        this.file = file;
    }

    /**
     * The catalogue kept in {@code dir}, with what an earlier broker declared there replayed.
     *
     * @throws StorageException naming the file if it is torn, corrupt or not a catalogue
     */
    public static ExchangeCatalog open(Path dir, FileOpener opener) throws IOException {
        ExchangeCatalog catalog = new ExchangeCatalog(new CheckpointFile(dir.resolve(FILE), KIND, VERSION, opener));
        Optional<CheckpointFile.Content> content = catalog.file.read();
        if (content.isPresent()) {
            ByteBuffer payload = content.get().payload();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            try {
                catalog.load(new DataInputStream(new java.io.ByteArrayInputStream(bytes)));
            } catch (IOException | IllegalArgumentException e) {
                throw new StorageException(catalog.file.file(), "cannot replay the exchange catalogue", e);
            }
        }
        return catalog;
    }

    /**
     * Declares an exchange; declaring it again with the same type changes nothing, as in RabbitMQ.
     *
     * @return whether it was created now
     * @throws IllegalArgumentException for an illegal name, a name already declared with another type
     *                                  (RabbitMQ's {@code PRECONDITION_FAILED}), or too many exchanges
     */
    public synchronized boolean declare(String name, ExchangeType type) throws IOException {
        Objects.requireNonNull(type, "type");
        if (!Topic.LEGAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal exchange name '" + name + "': use 1 to 249 characters "
                + "from a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'");
        }
        ExchangeType existing = types.get(name);
        if (existing != null) {
            if (existing != type) {
                throw new IllegalArgumentException("exchange '" + name + "' is already declared as " + existing
                    + ", not " + type);
            }
            return false;
        }
        if (types.size() >= MAX_EXCHANGES) {
            throw new IllegalArgumentException("the broker already has " + types.size() + " exchanges, its limit; '"
                + name + "' was not declared");
        }
        types.put(name, type);
        exchanges.put(name, new Exchange(name, type));
        try {
            save();
        } catch (IOException | RuntimeException e) {
            types.remove(name);
            exchanges.remove(name);
            throw e;
        }
        return true;
    }

    /**
     * Binds {@code queue} to a DIRECT, FANOUT or TOPIC exchange with {@code key}; see {@link Exchange#bind}.
     * If writing the checkpoint fails the binding is undone — but should the failure come after the file
     * was renamed into place (the directory's fsync), a restart finds the binding: the caller was told
     * it failed, and binding again is harmless.
     */
    public synchronized void bind(String exchange, String queue, String key) throws IOException {
        Exchange target = require(exchange);
        int before = target.bindings();
        target.bind(queue, key); // refuses what an exchange refuses, before anything is written
        if (target.bindings() > before) {
            persist(new Binding(exchange, queue, key, null));
        }
    }

    /** Binds {@code queue} to a HEADERS exchange with {@code arguments}; see {@link Exchange#bind}. */
    public synchronized void bind(String exchange, String queue, Map<String, HeaderValue> arguments)
        throws IOException {
        Exchange target = require(exchange);
        requireSmall(exchange, queue, arguments);
        int before = target.bindings();
        target.bind(queue, arguments);
        if (target.bindings() > before) {
            persist(new Binding(exchange, queue, null, new LinkedHashMap<>(arguments)));
        }
    }

    /**
     * The queues a message published to {@code exchange} goes to.
     *
     * @throws IllegalArgumentException if there is no such exchange, or the routing key is too long
     */
    public synchronized Set<String> route(String exchange, String routingKey, Map<String, HeaderValue> headers) {
        // Under the catalogue's lock, not only the exchange's: a bind is applied to the exchange before its
        // checkpoint is written, and a publish must not use a binding that the disk does not hold yet (it
        // would route to a queue whose bind may still fail, or be gone after a crash). The price: a publish
        // waits for a bind's fsync; binds are rare.
        return require(exchange).route(routingKey, headers);
    }

    /** Every exchange and its type, in name order. */
    public synchronized Map<String, ExchangeType> exchanges() {
        return new TreeMap<>(types);
    }

    /** How many bindings {@code exchange} holds. */
    public synchronized int bindings(String exchange) {
        return require(exchange).bindings();
    }

    private static void requireSmall(String exchange, String queue, Map<String, HeaderValue> arguments) {
        if (arguments.size() > MAX_ARGUMENTS) {
            throw new IllegalArgumentException("the binding of queue '" + queue + "' to exchange '" + exchange
                + "' has " + arguments.size() + " arguments; at most " + MAX_ARGUMENTS);
        }
        for (Map.Entry<String, HeaderValue> argument : arguments.entrySet()) {
            String text = argument.getValue() instanceof HeaderValue.Text t ? t.value() : "";
            if (utf8Length(argument.getKey()) > MAX_ARGUMENT_BYTES || utf8Length(text) > MAX_ARGUMENT_BYTES) {
                throw new IllegalArgumentException("the binding of queue '" + queue + "' to exchange '" + exchange
                    + "' has an argument name or text value over " + MAX_ARGUMENT_BYTES + " bytes: '"
                    + argument.getKey().substring(0, Math.min(40, argument.getKey().length())) + "'");
            }
        }
    }

    private static int utf8Length(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private Exchange require(String name) {
        Exchange exchange = exchanges.get(name);
        if (exchange == null) {
            throw new IllegalArgumentException("no exchange '" + name + "': declare it first");
        }
        return exchange;
    }

    private void persist(Binding binding) throws IOException {
        bindings.add(binding);
        try {
            save();
        } catch (IOException | RuntimeException e) {
            bindings.remove(bindings.size() - 1);
            rebuild(binding.exchange()); // the exchange holds the binding already: start it again from disk's
            throw e;
        }
    }

    private void rebuild(String name) {
        Exchange fresh = new Exchange(name, types.get(name));
        for (Binding binding : bindings) {
            if (binding.exchange().equals(name)) {
                apply(fresh, binding);
            }
        }
        exchanges.put(name, fresh);
    }

    private static void apply(Exchange exchange, Binding binding) {
        if (binding.arguments() == null) {
            exchange.bind(binding.queue(), binding.key());
        } else {
            exchange.bind(binding.queue(), binding.arguments());
        }
    }

    private void save() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(types.size());
        for (Map.Entry<String, ExchangeType> entry : types.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeUTF(entry.getValue().name());
        }
        out.writeInt(bindings.size());
        for (Binding binding : bindings) {
            out.writeUTF(binding.exchange());
            out.writeUTF(binding.queue());
            out.writeBoolean(binding.arguments() != null);
            if (binding.arguments() == null) {
                out.writeUTF(binding.key());
            } else {
                out.writeInt(binding.arguments().size());
                for (Map.Entry<String, HeaderValue> argument : binding.arguments().entrySet()) {
                    out.writeUTF(argument.getKey());
                    writeValue(out, argument.getValue());
                }
            }
        }
        out.flush();
        if (bytes.size() > MAX_CATALOGUE_BYTES) {
            throw new IllegalArgumentException("the exchange catalogue would grow to " + bytes.size()
                + " bytes, over its limit of " + MAX_CATALOGUE_BYTES + ": nothing was changed");
        }
        file.write(ByteBuffer.wrap(bytes.toByteArray()));
    }

    private void load(DataInputStream in) throws IOException {
        int exchangeCount = in.readInt();
        for (int i = 0; i < exchangeCount; i++) {
            String name = in.readUTF();
            ExchangeType type = ExchangeType.valueOf(in.readUTF());
            types.put(name, type);
            exchanges.put(name, new Exchange(name, type));
        }
        int bindingCount = in.readInt();
        for (int i = 0; i < bindingCount; i++) {
            String exchange = in.readUTF();
            String queue = in.readUTF();
            Binding binding;
            if (in.readBoolean()) {
                int count = in.readInt();
                Map<String, HeaderValue> arguments = new LinkedHashMap<>();
                for (int a = 0; a < count; a++) {
                    arguments.put(in.readUTF(), readValue(in));
                }
                binding = new Binding(exchange, queue, null, arguments);
            } else {
                binding = new Binding(exchange, queue, in.readUTF(), null);
            }
            apply(require(exchange), binding);
            bindings.add(binding);
        }
    }

    /** A typed header value: a tag (0 text, 1 whole number, 2 floating, 3 boolean, 4 void), then the value. */
    static void writeValue(DataOutputStream out, HeaderValue value) throws IOException {
        if (value instanceof HeaderValue.Text text) {
            out.writeByte(0);
            out.writeUTF(text.value());
        } else if (value instanceof HeaderValue.Integral whole) {
            out.writeByte(1);
            out.writeLong(whole.value());
        } else if (value instanceof HeaderValue.Floating floating) {
            out.writeByte(2);
            out.writeDouble(floating.value());
        } else if (value instanceof HeaderValue.Bool bool) {
            out.writeByte(3);
            out.writeBoolean(bool.value());
        } else {
            out.writeByte(4);
        }
    }

    static HeaderValue readValue(DataInputStream in) throws IOException {
        int tag = in.readByte();
        return switch (tag) {
            case 0 -> new HeaderValue.Text(in.readUTF());
            case 1 -> new HeaderValue.Integral(in.readLong());
            case 2 -> new HeaderValue.Floating(in.readDouble());
            case 3 -> new HeaderValue.Bool(in.readBoolean());
            case 4 -> new HeaderValue.NoValue();
            default -> throw new IllegalArgumentException("header value tag " + tag + " is not 0 to 4");
        };
    }
}
