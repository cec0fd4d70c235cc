package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A paged listing ({@code {"items", "next"}}) read lazily: each {@link #iterator()} starts at the
 * first page and asks for the next page only when the items of the current one are used up, so a
 * loop that stops early reads no further. Not thread-safe per iterator.
 */
public final class Listing<T> implements Iterable<T> {

    private final MusterClient client;
    private final String path;
    private final Query query;
    private final Function<JsonObject, T> item;

    Listing(MusterClient client, String path, Query query, Function<JsonObject, T> item) {
        this.client = client;
        this.path = path;
        this.query = query;
        this.item = item;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private final List<T> page = new ArrayList<>();
            private int index;
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (index == page.size() && !last) {
                    JsonObject answer = client.get(path, query.copy().add("limit", MusterClient.PAGE).add("cursor", cursor));
                    page.clear();
                    index = 0;
                    JsonArray items = answer.getJsonArray("items", new JsonArray());
                    for (int i = 0; i < items.size(); i++) {
                        page.add(item.apply(items.getJsonObject(i)));
                    }
                    cursor = answer.getString("next");
                    last = cursor == null;
                }
                return index < page.size();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.get(index++);
            }
        };
    }

    public Stream<T> stream() {
        return StreamSupport.stream(spliterator(), false);
    }

    /** Every item, every page read. */
    public List<T> all() {
        List<T> all = new ArrayList<>();
        forEach(all::add);
        return all;
    }
}
