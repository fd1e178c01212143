package io.berth.spi;

import io.berth.spi.registry.BlobSource;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.ResolvedManifest;

import java.io.InputStream;

/**
 * Talks to image registries over the OCI distribution API: names images, resolves tags to
 * manifests, downloads and uploads blobs. The built-in implementation is {@code oci}.
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>registry</dt>
 *   <dd>A host, with an optional port, serving {@code /v2/}: {@code docker.io},
 *       {@code localhost:5000}, {@code [::1]:5000}. {@code docker.io} is the default and the
 *       implementation knows which host actually serves it.</dd>
 *   <dt>repository</dt>
 *   <dd>A path of lower-case components inside a registry: {@code library/busybox},
 *       {@code team/app}.</dd>
 *   <dt>tag</dt>
 *   <dd>A mutable name for a manifest inside a repository ({@code latest}, {@code 1.36}).</dd>
 *   <dt>digest</dt>
 *   <dd>The immutable name of content: {@code sha256:} and 64 lower-case hex digits.</dd>
 *   <dt>reference</dt>
 *   <dd>Registry, repository and a tag and/or digest, as written by users
 *       ({@code busybox}, {@code localhost:5000/team/app:1.0}, {@code app@sha256:…}).
 *       {@link #parse(String)} turns the text into an {@link ImageReference} by Docker's
 *       rules.</dd>
 *   <dt>blob</dt>
 *   <dd>Content stored by digest in a repository: a layer (usually gzip-compressed), an image
 *       config.</dd>
 *   <dt>descriptor</dt>
 *   <dd>Media type, digest and size of a blob or manifest: how one piece of content points at
 *       another ({@link Descriptor}).</dd>
 *   <dt>manifest</dt>
 *   <dd>A JSON document naming one image's config and layers by descriptor.</dd>
 *   <dt>index</dt>
 *   <dd>A JSON document (OCI image index, Docker manifest list) naming one manifest per
 *       {@linkplain Platform platform}.</dd>
 * </dl>
 *
 * <h2>Lifecycle: pulling</h2>
 * <ol>
 *   <li>{@link #parse(String)} the user's text.</li>
 *   <li>{@link #resolve(ImageReference, Platform, Credentials)}: the implementation fetches what
 *       the tag or digest names; if that is an index it picks the manifest for the platform and
 *       fetches it. Every document is checked against its digest and refused above 4 MiB.</li>
 *   <li>The engine fetches the config with {@link #fetchBlob} and each layer not yet in its
 *       content store, resuming an interrupted download from the byte it reached. It checks the
 *       digest and size of every blob itself.</li>
 *   <li>The layers go to the {@link StorageDriver}.</li>
 * </ol>
 *
 * <h2>Lifecycle: pushing</h2>
 * <ol>
 *   <li>For each layer and the config: {@link #blobExists} — if present, nothing to do; else
 *       {@link #mountBlob} from a repository on the same registry known to hold it; else
 *       {@link #pushBlob}.</li>
 *   <li>{@link #pushManifest} once every blob it names is present: by digest first for each
 *       platform's manifest, then the index or manifest by tag.</li>
 * </ol>
 *
 * <h2>Credentials and errors</h2>
 * The engine passes {@link Credentials} with every call (from the client's
 * {@code X-Registry-Auth}, else the daemon's stored logins, else anonymous). The implementation
 * runs the token handshake the registry asks for and may cache tokens in memory per registry and
 * scope, never on disk. Every failure is a {@link RegistryException} with a one-line message
 * naming the registry, the reference and the problem.
 */
public interface ImageRegistry extends BerthExtension {

    /**
     * Parses an image reference as Docker does: registry {@code docker.io} when the first
     * component is not a host (it contains no {@code .} or {@code :} and is not
     * {@code localhost}); {@code library/} before one-component names on {@code docker.io};
     * {@code index.docker.io} normalised to {@code docker.io}; tag {@code latest} when neither tag
     * nor digest is given. Pure: no I/O.
     *
     * @param reference the text, for example {@code busybox} or {@code localhost:5000/a/b:1@sha256:…}
     * @return the normalised reference
     * @throws InvalidReferenceException quoting the text and saying what is wrong
     */
    ImageReference parse(String reference);

    /**
     * Finds the manifest a reference names for a platform.
     *
     * @param reference   what to resolve; by digest if it has one, else by tag
     * @param platform    the platform wanted when the reference names an index
     * @param credentials who asks
     * @return the manifest, its bytes and what it points at
     * @throws RegistryException if the registry cannot be reached, refuses, does not have it, has
     *                           no manifest for the platform, or answers with something malformed,
     *                           oversized or not matching its digest
     */
    ResolvedManifest resolve(ImageReference reference, Platform platform, Credentials credentials) throws RegistryException;

    /**
     * Opens a blob for reading from a byte offset, for resuming interrupted downloads. If the
     * registry ignores the range request the implementation skips the first {@code offset} bytes
     * itself, so the stream always starts at {@code offset}. The caller closes the stream and
     * checks the blob's digest and size over all the bytes it received.
     *
     * @param repository  the repository holding the blob (tag and digest are ignored)
     * @param blob        the blob's descriptor
     * @param offset      the first byte wanted, {@code 0 <= offset <= blob.size()}
     * @param credentials who asks
     * @return the blob's bytes from {@code offset}
     * @throws RegistryException if the blob cannot be fetched
     */
    InputStream fetchBlob(ImageReference repository, Descriptor blob, long offset, Credentials credentials) throws RegistryException;

    /**
     * Whether a repository already holds a blob.
     *
     * @param repository  the repository (tag and digest are ignored)
     * @param blob        the blob's descriptor
     * @param credentials who asks
     * @return {@code true} if the registry has the blob in that repository
     * @throws RegistryException if the registry cannot be asked
     */
    boolean blobExists(ImageReference repository, Descriptor blob, Credentials credentials) throws RegistryException;

    /**
     * Uploads a blob. The implementation may open {@code content} more than once (to retry), and
     * the registry checks the digest when the upload completes.
     *
     * @param repository  the repository (tag and digest are ignored)
     * @param blob        the blob's descriptor; its digest and size are what the content must match
     * @param content     opens the blob's bytes from the start
     * @param credentials who pushes
     * @throws RegistryException if the upload fails or the registry rejects the digest
     */
    void pushBlob(ImageReference repository, Descriptor blob, BlobSource content, Credentials credentials) throws RegistryException;

    /**
     * Asks the registry to link a blob from another repository on the same registry instead of
     * uploading it (a cross-repository mount).
     *
     * @param repository  where the blob is wanted (tag and digest are ignored)
     * @param blob        the blob's descriptor
     * @param from        a repository on the same registry that holds the blob
     * @param credentials who pushes; must be allowed to pull from {@code from}
     * @return {@code true} if the blob is now in {@code repository}; {@code false} if the registry
     *         declined (the caller then uses {@link #pushBlob})
     * @throws RegistryException if the registry cannot be asked
     */
    boolean mountBlob(ImageReference repository, Descriptor blob, ImageReference from, Credentials credentials) throws RegistryException;

    /**
     * Uploads a manifest or index. Every blob and manifest it names must already be in the
     * repository.
     *
     * @param target      where to put it: by its tag if it has one, else by its digest
     * @param mediaType   the document's media type, sent as {@code Content-Type}
     * @param manifest    the exact bytes; their digest is the manifest's digest
     * @param credentials who pushes
     * @return the descriptor of what was pushed
     * @throws RegistryException if the registry rejects it
     */
    Descriptor pushManifest(ImageReference target, String mediaType, byte[] manifest, Credentials credentials) throws RegistryException;

    /**
     * Checks credentials against a registry, as {@code docker login} does.
     *
     * @param registry    a registry as in {@link ImageReference#registry()}
     * @param credentials what to check
     * @throws RegistryException {@link RegistryException.Reason#UNAUTHORIZED} if they are refused,
     *                           another reason if the registry cannot be asked
     */
    void authenticate(String registry, Credentials credentials) throws RegistryException;
}
