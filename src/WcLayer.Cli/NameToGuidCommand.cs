using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer nametoguid &lt;name&gt;</c>: the GUID HCS derives from a layer name (NameToGuid).</summary>
internal static class NameToGuidCommand
{
    private const string Name = "nametoguid";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var name = new Argument<string>("name") { Description = "The layer name (the base name of a layer folder)." };
        Option<bool> json = JsonOutput.Option("Print the result as one JSON object: name, guid.");
        var command = new Command(Name, "Print the GUID the Host Compute Service derives from a layer name. Needs Windows: the algorithm is private to vmcompute.dll, so elsewhere this fails and says so.")
        {
            name,
            json,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), parseResult.GetValue(json), async () =>
        {
            string layerName = parseResult.GetValue(name)!;
            Guid guid = LayerStore.Default.NameToGuid(layerName);
            if (parseResult.GetValue(json))
            {
                await JsonOutput.WriteObjectAsync(console.Output, o =>
                {
                    o.WriteString("name", layerName);
                    o.WriteString("guid", guid.ToString());
                });
            }
            else
            {
                await console.Output.WriteLineAsync(guid.ToString());
            }
        }));
        return command;
    }
}
