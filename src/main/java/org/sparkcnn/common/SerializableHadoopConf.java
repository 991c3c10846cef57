package org.sparkcnn.common;

import org.apache.hadoop.conf.Configuration;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * Ships the driver's Hadoop configuration (file system endpoints, credentials providers, spark.hadoop.*
 * settings) to executors so that they open the same URIs the driver validated. Hadoop's Configuration is
 * Writable but not Serializable, so it travels as its Writable bytes in a plain field: that survives Java
 * serialization and Kryo alike (broadcasts go through Kryo, which ignores writeObject hooks; a local-mode
 * run never notices because its broadcast is the driver's own object).
 */
public final class SerializableHadoopConf implements Serializable {
    private static final long serialVersionUID = 2L;
    private final byte[] bytes;
    private transient Configuration conf;

    public SerializableHadoopConf(Configuration conf) {
        this.conf = conf;
        this.bytes = toBytes(conf);
    }

    public Configuration get() {
        Configuration c = conf;
        if (c == null) {
            c = fromBytes(bytes);
            conf = c;
        }
        return c;
    }

    private static byte[] toBytes(Configuration conf) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            conf.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static Configuration fromBytes(byte[] bytes) {
        Configuration c = new Configuration(false);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            c.readFields(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }
}
