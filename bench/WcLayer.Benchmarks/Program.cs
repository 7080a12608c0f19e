using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using WcLayer.Oci;

namespace WcLayer.Benchmarks;

/// <summary>
/// <c>generate &lt;many|one|small&gt; &lt;out.tar&gt;</c> writes a synthetic layer tar;
/// <c>roundtrip &lt;in.tar&gt; &lt;out.tar|-&gt;</c> runs tar → backup streams → tar through a <see cref="LayerPipe"/>;
/// <c>metadata-cost &lt;dir&gt; &lt;count&gt;</c> measures the cost of keeping Windows times in extended attributes;
/// anything else goes to BenchmarkDotNet (e.g. <c>--filter '*' --job short</c>).
/// </summary>
internal static class Program
{
    private const int IoBuffer = 1 << 20;

    private static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "generate")
        {
            return Generate(SyntheticLayerSpec.FromName(args[1]), args[2]);
        }

        if (args.Length == 3 && args[0] == "roundtrip")
        {
            return RoundTrip(args[1], args[2]);
        }

        if (args.Length == 3 && args[0] == "metadata-cost")
        {
            return MetadataCost.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Generate(SyntheticLayerSpec spec, string path)
    {
        var watch = Stopwatch.StartNew();
        using var reader = new SyntheticLayerReader(spec);
        using (var output = new SyncStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, IoBuffer)))
        {
            OciLayer.WriteTarFromLayerAsync(reader, output).GetAwaiter().GetResult();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {spec.Name}: {reader.Entries} layer entries, {new FileInfo(path).Length} tar bytes in {watch.Elapsed.TotalSeconds:F2} s -> {path}"));
        return 0;
    }

    private static int RoundTrip(string inputPath, string outputPath)
    {
        var watch = Stopwatch.StartNew();
        var pipe = new LayerPipe();
        using var input = new SyncStream(new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, IoBuffer));
        using var output = new SyncStream(outputPath == "-"
            ? Stream.Null
            : new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, IoBuffer));

        Exception? importError = null;
        Exception? exportError = null;
        var import = new Thread(() =>
        {
            try
            {
                OciLayer.WriteLayerFromTarAsync(input, pipe.Writer).GetAwaiter().GetResult();
                pipe.Writer.Commit();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                importError = e;
                pipe.Writer.Fail(e);
            }
        }) { Name = "tar→layer" };
        var export = new Thread(() =>
        {
            try
            {
                OciLayer.WriteTarFromLayerAsync(pipe.Reader, output).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                exportError = e;
            }
        }) { Name = "layer→tar" };
        import.Start();
        export.Start();
        import.Join();
        export.Join();
        output.Flush();
        watch.Stop();

        if ((importError ?? exportError) is { } error)
        {
            Console.Error.WriteLine($"roundtrip failed: {error}");
            return 1;
        }

        double seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"roundtrip entries={pipe.Reader.Entries} in_bytes={input.Length} out_bytes={output.BytesWritten} seconds={seconds:F3} MiB/s={input.Length / seconds / (1 << 20):F1} entries/s={pipe.Reader.Entries / seconds:F0} peak_rss_mib={PeakRssMiB():F1} gc_heap_peak_mib={GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024):F1} gen0={GC.CollectionCount(0)} gen2={GC.CollectionCount(2)} allocated_mib={GC.GetTotalAllocatedBytes() / (1024.0 * 1024):F1}"));
        return 0;
    }

    /// <summary>VmHWM from /proc/self/status (Linux), in MiB; NaN elsewhere.</summary>
    private static double PeakRssMiB()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return double.NaN;
    }
}
