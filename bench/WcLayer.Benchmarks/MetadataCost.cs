using System.Diagnostics;
using System.Globalization;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Benchmarks;

/// <summary>
/// What keeping Windows times and attributes costs on Linux: the same files written through the layer seam with
/// and without the <c>user.wclayer.basicinfo</c> extended attribute (and the POSIX times mirrored from it).
/// </summary>
internal static class MetadataCost
{
    public static int Run(string directory, int count)
    {
        byte[] content = new byte[1024];
        Random.Shared.NextBytes(content);
        var info = new FileBasicInfo(132224078451234567, 132224078451234567, 132224078451234567, 132224078451234567, FileAttributes.Archive);
        double plain = 0, windows = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            plain += Write(Path.Combine(directory, $"plain{pass}"), count, content, null);
            windows += Write(Path.Combine(directory, $"windows{pass}"), count, content, info);
        }

        plain /= 3;
        windows /= 3;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} files of 1 KiB, mean of 3 passes: without metadata {plain:F3} s, with metadata {windows:F3} s, extra {windows - plain:F3} s ({(windows - plain) / count * 1e6:F1} µs per file, {(windows / plain - 1) * 100:F1} %)"));
        return 0;
    }

    private static double Write(string folder, int count, byte[] content, FileBasicInfo? info)
    {
        Directory.CreateDirectory(folder);
        using LayerRoot root = LayerRoot.Open(folder);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            string directory = (i / 1000).ToString(CultureInfo.InvariantCulture);
            if (i % 1000 == 0)
            {
                root.CreateDirectory(directory);
            }

            using FileStream file = root.CreateFile(directory + "/f" + i.ToString(CultureInfo.InvariantCulture));
            file.Write(content);
            if (info is { } basic)
            {
                root.SetBasicInfo(file.SafeFileHandle, basic, folder);
            }
        }

        return watch.Elapsed.TotalSeconds;
    }
}
