using System.Text;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// <c>hardlinks.txt</c> in a read-only layer: one <c>name\ttarget</c> line (layer names, <c>\</c> separators) per hard
/// link under <c>Files\</c> that the layer's import made. overlayfs copies up one name of a hard-linked file at a
/// time, so the diff of a scratch layer uses this list to find the other names of a changed file (on NTFS a change
/// shows in every name) without scanning the parents.
/// </summary>
internal static class HardLinkList
{
    public const string FileName = "hardlinks.txt";

    public static void Write(string layerPath, IReadOnlyList<(string Name, string Target)> links)
    {
        if (links.Count == 0)
        {
            return;
        }

        using var writer = new StreamWriter(Path.Combine(layerPath, FileName), append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        foreach ((string name, string target) in links)
        {
            writer.Write(name);
            writer.Write('\t');
            writer.Write(target);
            writer.Write('\n');
        }
    }

    /// <summary>Adds a layer's links to a graph of names (paths below <c>Files/</c> with <c>/</c> separators) that are one file.</summary>
    public static void ReadInto(string layerPath, Dictionary<string, List<string>> graph)
    {
        string file = Path.Combine(layerPath, FileName);
        if (!File.Exists(file))
        {
            return;
        }

        int lineNumber = 0;
        foreach (string line in File.ReadLines(file, Encoding.UTF8))
        {
            lineNumber++;
            string[] parts = line.Split('\t');
            if (parts.Length != 2 || !TransportPath.HasPrefix(parts[0], TransportPath.Files) || !TransportPath.HasPrefix(parts[1], TransportPath.Files))
            {
                throw new InvalidDataException($"{file}, line {lineNumber}: expected 'Files\\name<TAB>Files\\target'.");
            }

            string a = ToPath(parts[0]);
            string b = ToPath(parts[1]);
            Edge(graph, a, b);
            Edge(graph, b, a);
        }
    }

    /// <summary>Every name connected to <paramref name="path"/> (itself excluded).</summary>
    public static IEnumerable<string> NamesOf(Dictionary<string, List<string>> graph, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { path };
        var queue = new Queue<string>([path]);
        while (queue.TryDequeue(out string? current))
        {
            if (!graph.TryGetValue(current, out List<string>? next))
            {
                continue;
            }

            foreach (string name in next)
            {
                if (seen.Add(name))
                {
                    queue.Enqueue(name);
                    yield return name;
                }
            }
        }
    }

    private static string ToPath(string name) => name[(TransportPath.Files.Length + 1)..].Replace('\\', '/');

    private static void Edge(Dictionary<string, List<string>> graph, string from, string to)
    {
        if (!graph.TryGetValue(from, out List<string>? list))
        {
            graph[from] = list = [];
        }

        list.Add(to);
    }
}
