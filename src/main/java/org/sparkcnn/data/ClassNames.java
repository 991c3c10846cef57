package org.sparkcnn.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The classes of a dataset by name, in class-index order: string labels and folder names sorted as
 * strings, integer labels sorted as numbers (so labels 0..9 keep their indices). Serializable: tasks map
 * labels to indices with it. The names travel with the model (model.zip) and appear in the report.
 */
public final class ClassNames implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Labels are stored as one unsigned byte each. */
    public static final int MAX_CLASSES = 256;

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    public ClassNames(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < this.names.size(); i++) {
            if (index.put(this.names.get(i), i) != null) {
                throw new IllegalArgumentException("class name '" + this.names.get(i) + "' given twice");
            }
        }
    }

    /** Class i is named "i": IDX files and models saved without names. */
    public static ClassNames numbered(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(Integer.toString(i));
        }
        return new ClassNames(names);
    }

    /** The classes of these label values (String or integral Number), sorted. */
    public static ClassNames of(Collection<?> labels) {
        boolean numeric = labels.stream().allMatch(l -> l instanceof Number);
        Comparator<Object> order = numeric ? Comparator.comparingLong(l -> ((Number) l).longValue())
                : Comparator.comparing(ClassNames::name);
        return new ClassNames(labels.stream().sorted(order).map(ClassNames::name).distinct().toList());
    }

    /** The name of a label value: a string as it is, an integer in decimal. */
    public static String name(Object label) {
        return label instanceof Number n ? Long.toString(n.longValue()) : label.toString();
    }

    public int size() {
        return names.size();
    }

    public List<String> names() {
        return names;
    }

    public String name(int index) {
        return names.get(index);
    }

    /** The index of the class named {@code name}, if it is one. */
    public Optional<Integer> indexOf(String name) {
        return Optional.ofNullable(index.get(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassNames c && c.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
