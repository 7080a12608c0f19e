using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer unmount &lt;scratch&gt; [mounted path]</c>: hcsshim's <c>unmount</c>, unprepares and deactivates a scratch layer.</summary>
internal static class UnmountCommand
{
    private const string Name = "unmount";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Argument<string> scratch = LayerOptions.Layer("scratch", "The scratch layer folder.");
        var mounted = new Argument<string?>("mounted path")
        {
            Description = "Optional: the target given to 'wclayer mount'; its symbolic link is removed.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command(Name, "Deactivate a scratch layer, optionally removing the link made at its mount target. The changes stay in the layer (export them with 'wclayer export').")
        {
            scratch,
            mounted,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), () => RunAsync(
            console,
            Path.GetFullPath(parseResult.GetValue(scratch)!),
            parseResult.GetValue(mounted) is { } m ? Path.GetFullPath(m) : null,
            parseResult.GetValue(verbose))));
        return command;
    }

    private static async Task RunAsync(CliConsole console, string path, string? mountedPath, bool verbose)
    {
        ILayerStore store = LayerStore.Default;
        if (mountedPath is not null)
        {
            RemoveLink(mountedPath, path);
        }

        try
        {
            store.UnprepareLayer(path);
        }
        catch (IOException e)
        {
            // As hcsshim: report it and still deactivate, which is what frees the layer.
            await CommandRunner.ReportAsync(console, Name, verbose, e);
        }

        store.DeactivateLayer(path);
    }

    private static void RemoveLink(string mountedPath, string scratch)
    {
        // Only ever the link mount made to this scratch's mount: deleting anything else here would delete the user's files.
        string expected = Path.Combine(scratch, "mount");
        if (!MountCommand.IsLink(mountedPath) || new FileInfo(mountedPath).LinkTarget != expected)
        {
            throw new UsageException($"{mountedPath} is not a mount target made by 'wclayer mount' for {scratch} (a symbolic link to {expected}); nothing was removed");
        }

        File.Delete(mountedPath);
    }
}
