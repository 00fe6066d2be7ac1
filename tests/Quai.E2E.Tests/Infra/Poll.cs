namespace Quai.E2E.Tests.Infra;

/// <summary>Waits for a condition a command observes, failing with the last observation.</summary>
public static class Poll
{
    /// <summary>Calls <paramref name="probe"/> until it returns null (done), or fails with its last message.</summary>
    public static async Task UntilAsync(Func<Task<string?>> probe, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string? last;
        do
        {
            last = await probe();
            if (last is null)
            {
                return;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new Xunit.Sdk.XunitException($"waited {seconds} s: {last}");
    }
}
