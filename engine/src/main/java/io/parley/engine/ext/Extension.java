package io.parley.engine.ext;

/**
 * A protocol extension: it declares what it serves (IQ handlers, disco features, stream
 * features) in {@link #register}, like ejabberd's module start list or Prosody's hooks. The first
 * line of an extension's Javadoc names its XEP.
 */
public interface Extension {

    /** The XEP (or RFC) this implements and its version, for the generated support table. */
    String spec();

    void register(ExtensionRegistry registry);
}
