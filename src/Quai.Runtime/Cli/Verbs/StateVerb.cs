using System.Text.Json;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`state ID`: runc's state JSON, indented.</summary>
public static class StateVerb
{
    public static readonly Verb Definition = new("state", "<container-id>", "print the state of a container as JSON", [], 1, 1, (c, a) =>
    {
        var state = c.Service.State(a.Positionals[0]);
        Console.Out.Write(JsonSerializer.Serialize(state, RuntimeJsonContext.Pretty.StateOutput) + "\n");
        return 0;
    });
}
