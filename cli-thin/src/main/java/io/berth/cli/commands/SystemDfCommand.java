package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Table;

import java.util.List;
import java.util.Locale;

/**
 * {@code berth system df}: {@code GET /system/df} summed as Docker's CLI shows it — per type the count, the ones in
 * use, their size and what removing the unused ones would free.
 */
public final class SystemDfCommand extends BaseCommand {

    public SystemDfCommand(CommandContext root) {
        super(root, "df", "Show berth disk usage");
    }

    @Override
    public Integer call() throws Exception {
        Object df = root.api().getJson("/system/df");
        List<Object> images = Json.list(df, "Images");
        long imagesActive = images.stream().filter(i -> num(i, "Containers") > 0).count();
        double layers = num(df, "LayersSize");
        double used = images.stream().filter(i -> num(i, "Containers") > 0).mapToDouble(i -> num(i, "Size")).sum();
        double imagesReclaimable = Math.max(0, layers - used);
        List<Object> containers = Json.list(df, "Containers");
        long running = containers.stream().filter(c -> "running".equals(Json.text(c, "State"))).count();
        double rw = containers.stream().mapToDouble(c -> num(c, "SizeRw")).sum();
        double rwStopped = containers.stream().filter(c -> !"running".equals(Json.text(c, "State"))).mapToDouble(c -> num(c, "SizeRw")).sum();
        List<Object> volumes = Json.list(df, "Volumes");
        long volumesActive = volumes.stream().filter(v -> num(v, "UsageData", "RefCount") > 0).count();
        double volumeBytes = volumes.stream().mapToDouble(v -> Math.max(0, num(v, "UsageData", "Size"))).sum();
        double volumeFree = volumes.stream().filter(v -> num(v, "UsageData", "RefCount") == 0)
                .mapToDouble(v -> Math.max(0, num(v, "UsageData", "Size"))).sum();
        Table table = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        table.row("Images", String.valueOf(images.size()), String.valueOf(imagesActive), size(layers), reclaimable(imagesReclaimable, layers));
        table.row("Containers", String.valueOf(containers.size()), String.valueOf(running), size(rw), reclaimable(rwStopped, rw));
        table.row("Local Volumes", String.valueOf(volumes.size()), String.valueOf(volumesActive), size(volumeBytes),
                reclaimable(volumeFree, volumeBytes));
        table.row("Build Cache", "0", "0", "0B", "0B");
        table.print(root.out());
        return 0;
    }

    private static String reclaimable(double part, double whole) {
        return whole > 0 ? size(part) + String.format(Locale.ROOT, " (%d%%)", Math.round(part / whole * 100)) : size(part);
    }

    private static double num(Object node, String... path) {
        return Json.at(node, path) instanceof Number n ? n.doubleValue() : 0;
    }

    /** Docker's {@code units.HumanSize}: four significant digits, powers of 1000. */
    static String size(double bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int i = 0;
        while (bytes >= 1000 && i < units.length - 1) {
            bytes /= 1000;
            i++;
        }
        String n = String.format(Locale.ROOT, "%.4g", bytes);
        if (!n.contains("e") && n.contains(".")) {
            n = n.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return n + units[i];
    }
}
