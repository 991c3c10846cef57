package org.sparkcnn.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.FractionalType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.sparkcnn.common.BadInputException;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A table of labelled images: a DataFrame with an image column, a label column (an integer class or a
 * string class name) and where each row comes from, read by Spark's Parquet or binaryFile reader on the
 * executors. The training-data seam: whatever yields such a DataFrame (a Parquet dataset, an image
 * folder, a user's DataFrame) becomes per-worker {@link LabeledImages} shards the same way.
 */
public final class ImageTable implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String IMAGE = "image";
    static final String LABEL = "label";
    static final String SOURCE = "source";
    /** At most this many images per LabeledImages block of a shard: a shard spills and is re-read block by block. */
    static final int BLOCK = 4096;
    /**
     * And at most this many bytes per block, so that the images' size cannot grow a block past what an
     * executor's heap holds: a task building a block holds it twice for a moment (its buffer and the
     * block), and each of the executor's cores runs such a task. With a count limit only, 4,096 RGB 32x32
     * images made 12.6 MB blocks, and a 512 MB local-mode executor ran out of heap building them from a
     * 420,000-image table (2026-12-02, docs/data-formats.md); 224x224 RGB images would have made 616 MB
     * blocks. MNIST's 784-byte images still fill 4,096 per block (3.2 MB).
     */
    static final int BLOCK_BYTES = 4 << 20;
    /** Stands for a null label while counting (countByValue's map takes no null key). */
    private static final String NULL_LABEL = "\u0000null";
    private static final String OPEN_COST = "spark.sql.files.openCostInBytes";
    private static final String IMAGE_FILES = "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}";

    private final transient Dataset<Row> rows;
    /** The setting and location, for messages: e.g. "data.train file:/data/train/". */
    private final String name;
    private final String imageColumn;
    /** Parquet: rows are named by number and file; an image folder's rows are its files. */
    private final boolean numberedRows;
    /** Image folders: the class sub-folders found by listing (an empty one has no rows). */
    private final transient List<String> folders;

    private ImageTable(Dataset<Row> rows, String name, String imageColumn, boolean numberedRows, List<String> folders) {
        this.rows = rows;
        this.name = name;
        this.imageColumn = imageColumn;
        this.numberedRows = numberedRows;
        this.folders = folders;
    }

    /**
     * A Parquet dataset; its columns are checked here (names and types, from the schema only).
     *
     * @param setting the setting naming it, for messages (data.train)
     */
    public static ImageTable parquet(SparkSession session, URI uri, String imageCol, String labelCol, String setting) {
        return dataFrame(session.read().parquet(uri.toString()), new Columns(imageCol, "data.image-col", labelCol,
                "data.label-col"), setting + " " + uri);
    }

    /**
     * The image and label columns of a DataFrame, and the settings that name them (for messages).
     *
     * @param imageSetting e.g. data.image-col, or an Estimator's featuresCol
     */
    public record Columns(String image, String imageSetting, String label, String labelSetting) {
    }

    /**
     * Any DataFrame with an image column and a label column (an Estimator's input, a Parquet dataset); its
     * columns are checked here (names and types, from the schema only). A fractional label column (Spark
     * ML's labels, e.g. StringIndexer's output) must hold whole numbers, checked when the classes are counted.
     *
     * @param name the table in messages
     */
    public static ImageTable dataFrame(Dataset<Row> data, Columns columns, String name) {
        StructField image = column(data, columns.image(), columns.imageSetting(), name);
        ImageDecoder.checkColumnType(image.dataType(), name + ": column '" + columns.image() + "' ("
                + columns.imageSetting() + ")");
        StructField label = column(data, columns.label(), columns.labelSetting(), name);
        DataType type = label.dataType();
        if (!(type instanceof IntegralType) && !(type instanceof FractionalType) && !(type instanceof StringType)) {
            throw new BadInputException(name + ": column '" + columns.label() + "' (" + columns.labelSetting()
                    + ") has type " + type.simpleString() + ": expected an integer class or a string class name");
        }
        Dataset<Row> rows = data.select(data.col(columns.image()).as(IMAGE), data.col(columns.label()).as(LABEL),
                functions.input_file_name().as(SOURCE));
        return new ImageTable(rows, name, "column '" + columns.image() + "'", true, List.of());
    }

    /**
     * A folder with one sub-folder of images per class, the sub-folder's name being the class
     * (Keras' image_dataset_from_directory and torchvision's ImageFolder layout).
     */
    public static ImageTable folder(SparkSession session, Configuration hadoopConf, URI uri, String setting) {
        String name = setting + " " + uri;
        List<String> folders = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        try {
            Path root = new Path(uri);
            FileSystem fs = root.getFileSystem(hadoopConf);
            if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
                throw new BadInputException(name + ": not found, or not a folder: expected a folder with one "
                        + "sub-folder of images per class");
            }
            for (FileStatus child : fs.listStatus(root)) {
                if (child.isDirectory() && !child.getPath().getName().startsWith("_")
                        && !child.getPath().getName().startsWith(".")) {
                    folders.add(child.getPath().getName());
                    paths.add(child.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
        if (folders.isEmpty()) {
            throw new BadInputException(name + ": no sub-folders: expected one sub-folder of images per class");
        }
        Collections.sort(folders);
        // Spark counts each file as 4 MB more than its size when it packs files into tasks, which gives an
        // image folder a task per 32 images (188 tasks for 6,000 MNIST PNGs, 127 s to count them on a
        // loaded 2-core machine); an image is a few KB, so count 64 KB each unless the user said otherwise
        if (!session.conf().contains(OPEN_COST)) {
            session.conf().set(OPEN_COST, Long.toString(64 * 1024));
        }
        Dataset<Row> files = session.read().format("binaryFile").option("pathGlobFilter", IMAGE_FILES)
                .load(paths.toArray(new String[0]));
        // the class is the file's folder; the reader gives URIs, so a name like "sea lion" arrives encoded
        Column folder = functions.element_at(functions.split(files.col("path"), "/"), -2);
        Dataset<Row> rows = files.select(files.col("content").as(IMAGE),
                functions.call_function("url_decode", folder).as(LABEL), files.col("path").as(SOURCE));
        return new ImageTable(rows, name, "file", false, List.copyOf(folders));
    }

    private static StructField column(Dataset<Row> data, String column, String setting, String name) {
        List<String> columns = Arrays.asList(data.columns());
        if (!columns.contains(column)) {
            throw new BadInputException(name + ": no column '" + column + "' (" + setting + "); columns: "
                    + String.join(", ", columns));
        }
        return data.schema().apply(column);
    }

    /** The setting and location, for messages. */
    public String name() {
        return name;
    }

    /** The rows: image, label, source. The seam for other sources of images (an Estimator's DataFrame). */
    public Dataset<Row> rows() {
        return rows;
    }

    /**
     * Rows per label value, counted on the executors (only the image-less label column is read); a null
     * label is counted under the key null. Image folders list an empty class folder with 0.
     */
    public Map<Object, Long> classCounts() {
        // each task counts its rows, the driver adds the counts up: no shuffle (a groupBy would run
        // spark.sql.shuffle.partitions = 200 tasks to count a few classes)
        Map<Object, Long> counts = new HashMap<>(rows.select(LABEL).javaRDD()
                .map(r -> r.isNullAt(0) ? NULL_LABEL : r.get(0)).countByValue());
        Long nulls = counts.remove(NULL_LABEL);
        if (nulls != null) {
            counts.put(null, nulls);
        }
        for (String folder : folders) {
            counts.putIfAbsent(folder, 0L);
        }
        return counts;
    }

    /** The size of the first image, read by the one task that reads it. */
    public ImageDecoder.Geometry firstImageGeometry() {
        List<Row> first = rows.select(IMAGE, SOURCE).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new BadInputException(name + ": no images");
        }
        return ImageDecoder.inspect(first.get(0), 0, where(name, numberedRows, first.get(0).getString(1), 0),
                imageColumn);
    }

    /** A row named for messages: by its number and file (Parquet), or by its file (an image folder). */
    private static String where(String table, boolean numbered, String source, long index) {
        return numbered ? table + " row " + index + " (" + source + ")" : table + " file " + source;
    }

    /**
     * The table's first {@code limit} rows (0 = all) that {@code keep} accepts, decoded on the executors
     * into {@code partitions} shards. The rows are dealt out in an order drawn from {@code seed} (a
     * spillable sort of the decoded bytes), so that each shard, and each block of one, mixes the classes
     * even when the table lists them in order, as an image folder does.
     */
    public JavaRDD<LabeledImages> shards(ImageDecoder decoder, ClassNames classes, DatasetShape shape, long seed,
                                         int partitions, long limit, ExecutorShards.IndexFilter keep) {
        String table = name;
        boolean numbered = numberedRows;
        int size = shape.pixelsPerImage();
        int rowsPerImage = shape.rows();
        int cols = shape.cols();
        int channels = shape.channels();
        return rows.select(IMAGE, LABEL, SOURCE).javaRDD().zipWithIndex()
                .filter(t -> (limit <= 0 || t._2() < limit) && keep.keep((int) (long) t._2()))
                .mapToPair(t -> {
                    Row row = t._1();
                    long index = t._2();
                    String where = where(table, numbered, row.getString(2), index);
                    if (row.isNullAt(1)) {
                        throw new BadInputException(where + ": the label is null: expected a class");
                    }
                    String label = ClassNames.name(row.get(1));
                    int cls = classes.indexOf(label).orElseThrow(() -> new BadInputException(where + ": class '"
                            + label + "' is not one of the training classes " + classes));
                    byte[] pixels = decoder.decode(row, 0, where);
                    byte[] record = Arrays.copyOf(pixels, size + 1);
                    record[size] = (byte) cls;
                    return new Tuple2<>(mix(index, seed), record);
                })
                .repartitionAndSortWithinPartitions(new HashPartitioner(partitions))
                .mapPartitions(it -> blocks(it, size, rowsPerImage, cols, channels), true);
    }

    /** Images per block for images of {@code size} bytes: {@link #BLOCK}, fewer when they would pass {@link #BLOCK_BYTES}. */
    static int imagesPerBlock(int size) {
        return Math.max(1, Math.min(BLOCK, BLOCK_BYTES / size));
    }

    static Iterator<LabeledImages> blocks(Iterator<Tuple2<Long, byte[]>> records, int size, int rows, int cols,
                                          int channels) {
        int perBlock = imagesPerBlock(size);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public LabeledImages next() {
                byte[] pixels = new byte[perBlock * size];
                byte[] labels = new byte[perBlock];
                int n = 0;
                while (n < perBlock && records.hasNext()) {
                    byte[] record = records.next()._2();
                    System.arraycopy(record, 0, pixels, n * size, size);
                    labels[n++] = record[size];
                }
                // only the last block of a shard is short: the full ones are kept as they are
                return n == perBlock ? new LabeledImages(n, rows, cols, channels, pixels, labels)
                        : new LabeledImages(n, rows, cols, channels, Arrays.copyOf(pixels, n * size),
                        Arrays.copyOf(labels, n));
            }
        };
    }

    /** SplitMix64's finaliser: a well-mixed sort key per row, the same for every run with this seed. */
    static long mix(long index, long seed) {
        long z = index + seed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
