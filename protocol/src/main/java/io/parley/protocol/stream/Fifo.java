package io.parley.protocol.stream;

import java.util.ArrayDeque;

/**
 * A first-in first-out queue that costs one field while it holds at most one element, which is
 * nearly always the case in a connection's stages, and grows a deque only when more queue up.
 * Not thread-safe: one stage uses it.
 */
final class Fifo<T> {

    private T head;
    private ArrayDeque<T> rest;

    void add(T t) {
        if (head == null) {
            head = t;
        } else {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.add(t);
        }
    }

    /** The oldest element, removed, or null when empty. */
    T poll() {
        T t = head;
        head = rest == null ? null : rest.poll();
        if (rest != null && rest.isEmpty()) {
            rest = null;
        }
        return t;
    }

    boolean isEmpty() {
        return head == null;
    }
}
