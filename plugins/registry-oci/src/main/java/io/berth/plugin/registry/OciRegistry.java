package io.berth.plugin.registry;

import io.berth.spi.ImageRegistry;
import io.berth.spi.PluginContext;
import io.berth.spi.registry.BlobSource;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.ResolvedManifest;

import java.io.InputStream;

/**
 * {@link ImageRegistry} over the OCI distribution API.
 *
 * <p>Reference parsing is complete ({@link ReferenceParser}); talking to registries is not
 * written yet.
 */
public class OciRegistry implements ImageRegistry {

    static final String NAME = "oci";
    static final String PLUGIN_ID = "registry-oci";

    private volatile PluginContext context;

    /** Creates the registry client; it does nothing until {@link #initialize}. */
    public OciRegistry() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void initialize(PluginContext context) {
        this.context = context;
    }

    @Override
    public ImageReference parse(String reference) {
        return ReferenceParser.parse(reference);
    }

    @Override
    public ResolvedManifest resolve(ImageReference reference, Platform platform, Credentials credentials) {
        throw notYet("resolve");
    }

    @Override
    public InputStream fetchBlob(ImageReference repository, Descriptor blob, long offset, Credentials credentials) {
        throw notYet("fetchBlob");
    }

    @Override
    public boolean blobExists(ImageReference repository, Descriptor blob, Credentials credentials) {
        throw notYet("blobExists");
    }

    @Override
    public void pushBlob(ImageReference repository, Descriptor blob, BlobSource content, Credentials credentials) {
        throw notYet("pushBlob");
    }

    @Override
    public boolean mountBlob(ImageReference repository, Descriptor blob, ImageReference from, Credentials credentials) {
        throw notYet("mountBlob");
    }

    @Override
    public Descriptor pushManifest(ImageReference target, String mediaType, byte[] manifest, Credentials credentials) {
        throw notYet("pushManifest");
    }

    @Override
    public void authenticate(String registry, Credentials credentials) {
        throw notYet("authenticate");
    }

    private static UnsupportedOperationException notYet(String operation) {
        return new UnsupportedOperationException(PLUGIN_ID + ": " + operation + " is not implemented yet");
    }
}
