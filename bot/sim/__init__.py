"""OneBot simulator shared by the demo, the end-to-end tests and the benchmark.

- :mod:`bot.sim.events` builds v11 events in the shapes NapCat, Lagrange, LLOneBot and go-cqhttp send;
- :class:`OneBotV11Peer` / :class:`OneBotV12Peer` connect to the bot over a reverse WebSocket, push
  events, answer and record its actions, and inject failures;
- :class:`BotProcess` runs the bot as a real child process on a free port.
"""

from bot.sim import events
from bot.sim.peer import ActionError, ActionPeer, Call, OneBotV11Peer, PeerConnectError, message_text
from bot.sim.peer_v12 import OneBotV12Peer
from bot.sim.process import BotProcess, BotStartError

__all__ = [
    "ActionError",
    "ActionPeer",
    "BotProcess",
    "BotStartError",
    "Call",
    "OneBotV11Peer",
    "OneBotV12Peer",
    "PeerConnectError",
    "events",
    "message_text",
]
