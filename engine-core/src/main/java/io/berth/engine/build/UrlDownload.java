package io.berth.engine.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ADD <url>}'s download, bounded: the body may not exceed {@link Limits#maxBytes()}, the whole
 * download (redirects, headers and body) must end within {@link Limits#timeout()}, and redirects are
 * followed only to {@code http} and {@code https} URLs, at most {@link Limits#maxRedirects()} of them.
 * Every refusal is a {@link BuildException} of one line naming the URL.
 */
final class UrlDownload {

    /**
     * The bounds of one download; the daemon's {@code add-url-max-size} and {@code add-url-timeout}.
     *
     * @param maxBytes     the largest body accepted
     * @param timeout      the time the whole download may take
     * @param maxRedirects how many redirects are followed
     */
    record Limits(long maxBytes, Duration timeout, int maxRedirects) {
        /** 1 GiB, 10 minutes, 10 redirects. */
        static final Limits DEFAULT = new Limits(1L << 30, Duration.ofMinutes(10), 10);
    }

    /** What was downloaded: the final URL's answer headers. */
    record Result(Optional<String> lastModified) {}

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(30)).build();

    private UrlDownload() {
    }

    /**
     * Downloads {@code url} into {@code file}, feeding {@code digest}.
     *
     * @throws BuildException one line: over the cap, over the time, a refused redirect, an HTTP error
     */
    static Result fetch(String url, Path file, MessageDigest digest, Limits limits) {
        java.util.concurrent.FutureTask<Result> download = new java.util.concurrent.FutureTask<>(() -> run(url, file, digest, limits));
        Thread.ofVirtual().name("berth-add-url").start(download);
        try {
            return download.get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            download.cancel(true); // interrupts the read, which closes the connection
            throw new BuildException("ADD failed: " + url + ": not downloaded within " + text(limits.timeout())
                    + " (the daemon's add-url-timeout)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BuildException b) {
                throw b;
            }
            String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new BuildException("ADD failed: cannot download " + url + ": " + why.lines().findFirst().orElse(""));
        } catch (InterruptedException e) {
            download.cancel(true);
            Thread.currentThread().interrupt();
            throw new BuildException("ADD failed: interrupted while downloading " + url);
        }
    }

    private static Result run(String url, Path file, MessageDigest digest, Limits limits) throws IOException, InterruptedException {
        URI uri = URI.create(url);
        for (int redirects = 0; ; redirects++) {
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(limits.timeout()).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                response.body().close();
                String location = response.headers().firstValue("Location")
                        .orElseThrow(() -> new BuildException("ADD failed: " + url + ": a redirect (" + status + ") without a Location"));
                URI next;
                try {
                    next = uri.resolve(location.strip());
                } catch (IllegalArgumentException e) {
                    throw new BuildException("ADD failed: " + url + ": redirected to an invalid URL " + location.strip());
                }
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new BuildException("ADD failed: " + url + ": redirected to " + next
                            + ", which is not an http or https URL");
                }
                if (redirects + 1 > limits.maxRedirects()) {
                    throw new BuildException("ADD failed: " + url + ": more than " + limits.maxRedirects() + " redirects");
                }
                uri = next;
                continue;
            }
            if (status / 100 != 2) {
                response.body().close();
                throw new BuildException("ADD failed: " + url + ": the server answered " + status);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > limits.maxBytes()) {
                response.body().close();
                throw tooLarge(url, limits);
            }
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > limits.maxBytes()) {
                        throw tooLarge(url, limits);
                    }
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            return new Result(response.headers().firstValue("Last-Modified"));
        }
    }

    private static BuildException tooLarge(String url, Limits limits) {
        return new BuildException("ADD failed: " + url + ": larger than " + limits.maxBytes() + " bytes (the daemon's add-url-max-size)");
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
