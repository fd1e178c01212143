package io.berth.plugin.registry;

import io.berth.spi.ImageRegistry;
import io.berth.spi.PluginContext;
import io.berth.spi.registry.BlobSource;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;
import io.berth.spi.registry.ResolvedManifest;

import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ImageRegistry} over the OCI distribution API, on the JDK's HTTP client.
 *
 * <p>This class is the plugin's one public client; each HTTP operation is a small package-private
 * class: {@link ManifestFetch}, {@link BlobFetch}, {@link BlobCheck}, {@link BlobMount},
 * {@link BlobUpload}, {@link ManifestPush}, {@link LoginCheck}. Under them,
 * {@link RegistryTransport} authenticates ({@link TokenAuthenticator}) and follows redirects, and
 * {@link RegistryEndpoint} decides where a registry is served. The options are described on
 * {@link Options}. PF4J creates the client with Java's default constructor; it does nothing until
 * {@link #initialize}.
 */
public class OciRegistry implements ImageRegistry {

    static final String NAME = "oci";
    static final String PLUGIN_ID = "registry-oci";

    private record Session(String registry, String repository, String digest) {
    }

    private volatile Options options;
    private volatile HttpExchange http;
    private volatile RegistryTransport transport;
    private final Map<Session, URI> declinedMounts = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void initialize(PluginContext context) {
        Options parsed = Options.from(context.options());
        HttpExchange exchange = new HttpExchange("berth/" + context.engineVersion(), parsed.timeout(), parsed.timeout());
        this.options = parsed;
        this.http = exchange;
        this.transport = new RegistryTransport(exchange, new TokenAuthenticator(exchange, Clock.systemUTC()));
    }

    @Override
    public ImageReference parse(String reference) {
        return ReferenceParser.parse(reference);
    }

    @Override
    public ResolvedManifest resolve(ImageReference reference, Platform platform, Credentials credentials) throws RegistryException {
        Objects.requireNonNull(platform, "platform");
        Call call = call(reference.registry(), Scope.pull(reference.repository()), credentials, reference.toString());
        ManifestFetch fetch = new ManifestFetch(transport());
        ManifestFetch.Fetched top = fetch.fetch(call, reference.repository(), reference.manifestReference(), reference.digest());
        ManifestFetch.Fetched image = top;
        Platform imagePlatform = null;
        if (top.isIndex()) {
            Documents.Index index = Documents.index(top.root(), top.descriptor().mediaType(), call);
            Descriptor chosen = PlatformMatcher.select(index.manifests(), platform).orElseThrow(() -> new RegistryException(
                    Reason.NOT_FOUND, call.registry(), call.subject(), "no manifest for platform " + platform
                    + " in the index (it has " + PlatformMatcher.listed(index.manifests()) + ")"));
            if (!MediaTypes.isManifest(chosen.mediaType())) {
                throw new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                        "the index's entry for " + platform + " has the unsupported media type " + chosen.mediaType());
            }
            image = fetch.fetch(call, reference.repository(), chosen.digest(), chosen.digest());
            if (image.bytes().length != chosen.size() || !image.descriptor().mediaType().equals(chosen.mediaType())) {
                throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(), "the manifest " + chosen.digest()
                        + " does not match its index entry (" + image.bytes().length + " bytes of " + image.descriptor().mediaType()
                        + ", the index says " + chosen.size() + " bytes of " + chosen.mediaType() + ")");
            }
            imagePlatform = chosen.platform();
        } else if (!MediaTypes.isManifest(top.descriptor().mediaType())) {
            throw new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                    "unsupported manifest media type " + top.descriptor().mediaType());
        }
        Documents.Manifest manifest = Documents.manifest(image.root(), image.descriptor().mediaType(), call);
        byte[] config = new BlobFetch(transport()).readVerified(call, reference.repository(), manifest.config(),
                Limits.DOCUMENT_LIMIT, "config");
        if (imagePlatform == null) {
            imagePlatform = Json.object(config).flatMap(Documents::platform).orElse(platform);
        }
        boolean fromIndex = top.isIndex();
        return new ResolvedManifest(reference, fromIndex ? top.descriptor() : null, fromIndex ? top.bytes() : null,
                image.descriptor(), image.bytes(), manifest.config(), manifest.layers(), imagePlatform, config);
    }

    @Override
    public InputStream fetchBlob(ImageReference repository, Descriptor blob, long offset, Credentials credentials) throws RegistryException {
        Call call = call(repository.registry(), Scope.pull(repository.repository()), credentials, blobSubject(repository, blob));
        return new BlobFetch(transport()).open(call, repository.repository(), blob, offset);
    }

    @Override
    public boolean blobExists(ImageReference repository, Descriptor blob, Credentials credentials) throws RegistryException {
        Call call = call(repository.registry(), Scope.pull(repository.repository()), credentials, blobSubject(repository, blob));
        return new BlobCheck(transport()).exists(call, repository.repository(), blob);
    }

    @Override
    public void pushBlob(ImageReference repository, Descriptor blob, BlobSource content, Credentials credentials) throws RegistryException {
        Call call = call(repository.registry(), Scope.push(repository.repository()), credentials, blobSubject(repository, blob));
        BlobUpload upload = new BlobUpload(transport(), options.chunkSize());
        URI session = declinedMounts.remove(new Session(repository.registry(), repository.repository(), blob.digest()));
        if (session != null) {
            try {
                upload.upload(call, session, blob, content);
                return;
            } catch (RegistryException e) {
                if (e.reason() != Reason.NOT_FOUND && e.reason() != Reason.UNAVAILABLE) {
                    throw e;
                }
                // The session the registry opened when it declined the mount has expired: start afresh.
            }
        }
        try {
            upload.upload(call, upload.start(call, repository.repository()), blob, content);
        } catch (RegistryException e) {
            if (e.reason() != Reason.UNAVAILABLE) {
                throw e;
            }
            upload.upload(call, upload.start(call, repository.repository()), blob, content);
        }
    }

    @Override
    public boolean mountBlob(ImageReference repository, Descriptor blob, ImageReference from, Credentials credentials) throws RegistryException {
        if (!repository.registry().equals(from.registry())) {
            return false;
        }
        Call call = call(repository.registry(), Scope.mount(repository.repository(), from.repository()), credentials,
                blobSubject(repository, blob) + " from " + from.repository());
        BlobMount.Result result = new BlobMount(transport()).mount(call, repository.repository(), blob, from.repository());
        if (declinedMounts.size() > 1000) {
            declinedMounts.clear(); // Sessions nobody used; the registry expires them anyway.
        }
        result.session().ifPresent(uri -> declinedMounts.put(new Session(repository.registry(), repository.repository(), blob.digest()), uri));
        return result.mounted();
    }

    @Override
    public Descriptor pushManifest(ImageReference target, String mediaType, byte[] manifest, Credentials credentials) throws RegistryException {
        Call call = call(target.registry(), Scope.push(target.repository()), credentials, target.toString());
        return new ManifestPush(transport()).push(call, target, mediaType, manifest);
    }

    @Override
    public void authenticate(String registry, Credentials credentials) throws RegistryException {
        String who = credentials instanceof Credentials.Basic b ? "login as " + b.username() : "login";
        new LoginCheck(transport()).check(call(registry, Scope.none(), credentials, who));
    }

    @Override
    public void close() {
        HttpExchange exchange = http;
        if (exchange != null) {
            exchange.close();
        }
    }

    private Call call(String registry, Scope scope, Credentials credentials, String subject) {
        Objects.requireNonNull(credentials, "credentials");
        return new Call(RegistryEndpoint.of(registry, options().insecureRegistries()), scope, credentials, subject);
    }

    private static String blobSubject(ImageReference repository, Descriptor blob) {
        return repository.name() + "@" + blob.digest();
    }

    private Options options() {
        Options o = options;
        if (o == null) {
            throw new IllegalStateException(PLUGIN_ID + ": initialize() has not been called");
        }
        return o;
    }

    private RegistryTransport transport() {
        options();
        return transport;
    }
}
