using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer remove &lt;layer&gt;</c>: hcsshim's <c>remove</c> (DestroyLayer).</summary>
internal static class RemoveCommand
{
    private const string Name = "remove";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Argument<string> layer = LayerOptions.Layer("layer", "The layer folder. A mounted scratch layer must be unmounted first.");
        var command = new Command(Name, "Permanently remove a layer folder in its entirety (with the store's lock file beside it).")
        {
            layer,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), () =>
        {
            LayerStore.Default.DestroyLayer(Path.GetFullPath(parseResult.GetValue(layer)!));
            return Task.CompletedTask;
        }));
        return command;
    }
}
