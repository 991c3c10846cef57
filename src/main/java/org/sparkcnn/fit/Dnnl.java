package org.sparkcnn.fit;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

/**
 * One oneDNN CPU engine and stream, and the recorded primitives of one computation: {@link #add} appends
 * a primitive with its arguments, {@link Sequence#run} executes them in order. Memories and primitives are
 * kept referenced here so that JavaCPP does not free them while oneDNN still uses them, and freed
 * together by {@link #close} (else when the garbage collector gets to them). Not thread-safe: one per
 * worker thread.
 */
final class Dnnl implements AutoCloseable {
    private final engine engine;
    private final stream stream;
    private final List<Object> keepAlive = new ArrayList<>();

    Dnnl() {
        this.engine = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
        this.stream = new stream(engine);
    }

    engine engine() {
        return engine;
    }

    /** A float32 memory descriptor; {@code format_tag.any} lets the primitive pick its layout. */
    static memory.desc desc(memory.format_tag tag, long... dims) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    /** Memory that oneDNN allocates and owns. */
    memory allocate(memory.desc desc) {
        return keep(new memory(desc, engine));
    }

    /** Memory over a buffer owned elsewhere (nd4j's parameter and gradient arrays, the minibatch). */
    memory wrap(memory.desc desc, Pointer data) {
        return keep(new memory(desc, engine, data));
    }

    <T> T keep(T object) {
        keepAlive.add(object);
        return object;
    }

    /** A primitive and its arguments, executed by {@link Sequence#run}. */
    record Call(primitive primitive, IntMemoryMap args) {
    }

    /** An ordered list of calls built once and executed every minibatch. */
    final class Sequence {
        private final List<Call> calls = new ArrayList<>();

        /** @param argsAndMemories alternating {@code DNNL_ARG_*} ints and memories */
        void add(primitive primitive, Object... argsAndMemories) {
            IntMemoryMap args = keep(new IntMemoryMap());
            for (int i = 0; i < argsAndMemories.length; i += 2) {
                args.put((Integer) argsAndMemories[i], (memory) argsAndMemories[i + 1]);
            }
            calls.add(new Call(keep(primitive), args));
        }

        /**
         * {@code from} in the layout {@code wanted}: {@code from} itself when it already is, else a new
         * memory that a reorder appended here fills.
         */
        memory inLayout(memory from, memory.desc wanted) {
            if (from.get_desc().equals(wanted)) {
                return from;
            }
            memory to = allocate(wanted);
            addReorder(from, to);
            return to;
        }

        void addReorder(memory from, memory to) {
            add(new reorder(from, to), org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, from,
                    org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO, to);
        }

        void run() {
            for (Call call : calls) {
                call.primitive().execute(stream, call.args());
            }
            stream._wait();
        }
    }

    Sequence sequence() {
        return new Sequence();
    }

    /** Frees every native object made here, newest first (the activations are tens of MB per graph). */
    @Override
    public void close() {
        for (int i = keepAlive.size() - 1; i >= 0; i--) {
            if (keepAlive.get(i) instanceof Pointer pointer) {
                pointer.close();
            }
        }
        keepAlive.clear();
        stream.close();
        engine.close();
    }
}
