"""A tuning set for memories with no stored question: a folder of loose messages and letter lines of a
fictional grandmother (Rosa), the questions a family would ask whose answer is only in her words,
and questions about her life that the words never cover (to be declined).

Written for issue 13 (answerability by the reply's own words, question_gen.py) before any tuning
against it; used by bench_loose.py. Never put into an index other than the throw-away persona
built from MEMORIES. Every person and place here is invented.
"""

from __future__ import annotations

MEMORIES: tuple[tuple[str, str], ...] = (
    ("wed", "We got married in June 1961, in St. Anne's church in Millbrook. It rained all morning and cleared up just for the photos."),
    ("meet", "I met your grandfather at a dance at the Elks hall. He stepped on my feet all night and I still said yes to the next one."),
    ("born", "I was born in 1939 on a farm outside Castleton, the youngest of six."),
    ("job", "I worked as a telephone operator for twenty-two years. You learn a lot about a town listening to its calls."),
    ("school", "I went to the one-room schoolhouse on Ridge Road until eighth grade. Miss Halvorsen taught all of us at once."),
    ("car", "My first car was a green 1955 Plymouth. I bought it with my own savings and drove it until the floor rusted through."),
    ("cake", "My mother's lemon cake. I still make it every Easter, the recipe card is in the tin above the stove."),
    ("dog", "We had a collie named Duke when the kids were small. He walked your mother to the bus stop every single morning."),
    ("house", "We bought the yellow house on Maple Street in 1966 for eleven thousand dollars. Your grandpa painted it himself."),
    ("kids", "Three children: your mother, your uncle Paul and your aunt Teresa. Paul was the troublemaker."),
    ("garden", "Tomatoes, beans and sweet peas every summer. The sweet peas were for the kitchen table, not for eating."),
    ("song", "Moon River. Your grandpa sang it to me badly and I loved every note."),
    ("war", "My father served in the navy during the war. He never talked about it, only about the food on the ship."),
    ("church", "Every Sunday at nine, rain or shine. I sang in the choir for almost forty years."),
    ("sister", "My sister Agnes was my best friend. We wrote each other letters every week after she moved to Oregon."),
    ("storm", "The ice storm of 1978 knocked the power out for nine days. We cooked on the wood stove and played cards by lamplight."),
    ("hobby", "I love quilting. I've made a quilt for every grandchild, yours has the blue stars."),
    ("travel", "The farthest I ever went was Niagara Falls on our honeymoon. We got soaked on the boat and laughed the whole way."),
    ("cook", "Pierogi at Christmas, always. It took two days and the whole family pinching dough around my table."),
    ("hospital", "I broke my hip in 2009 slipping on the porch steps. Six weeks in rehab and I was back in the garden."),
    ("advice", "Marry someone who makes you laugh, and never go to bed angry. That's all I know."),
    ("book", "Little Women. I read it every winter when I was a girl, and I cried at the same part every time."),
    ("retire", "I retired in 1999 and took up painting. Mostly barns and birds, nothing worth hanging."),
    ("morning", "Coffee on the porch at six, then the crossword. Your grandpa used to steal the easy clues."),
    ("holiday", "Thanksgiving was always at our house, twenty people squeezed around two tables pushed together."),
    ("brother", "My brother Frank went to Alaska to fish when he was nineteen and stayed for thirty years."),
    ("fear", "Thunderstorms scare me to this day. I'd hide in the pantry with the radio on."),
    ("proud", "Watching your mother graduate from nursing school. I didn't stop crying for an hour."),
    ("town", "Millbrook had one stoplight and two churches, and everyone knew whose kid you were."),
    ("dance", "The polka, mostly at weddings. Your grandpa and I could clear a dance floor."),
)
"""(id, the grandmother's words): loose memories, none with a stored question."""

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("When did you and grandpa get married?", "wed"),
    ("Where was your wedding?", "wed"),
    ("How did you meet grandpa?", "meet"),
    ("Where were you born?", "born"),
    ("What year were you born?", "born"),
    ("What did you do for work?", "job"),
    ("How long were you a telephone operator?", "job"),
    ("What was your school like?", "school"),
    ("Who was your teacher growing up?", "school"),
    ("What was the first car you ever owned?", "car"),
    ("What's your favourite cake to bake?", "cake"),
    ("Did you have a dog when mom was little?", "dog"),
    ("What was the dog's name?", "dog"),
    ("How much did the house cost?", "house"),
    ("How many kids did you have?", "kids"),
    ("What did you grow in your garden?", "garden"),
    ("What was your song with grandpa?", "song"),
    ("Was your dad in the war?", "war"),
    ("Did you sing in a choir?", "church"),
    ("Were you close to your sister?", "sister"),
    ("Do you remember the big ice storm?", "storm"),
    ("Do you still make quilts?", "hobby"),
    ("Where did you go on your honeymoon?", "travel"),
    ("What did you cook at Christmas?", "cook"),
    ("How did you hurt your hip?", "hospital"),
    ("What advice do you have about marriage?", "advice"),
    ("What was your favourite book as a girl?", "book"),
    ("What did you do after you retired?", "retire"),
    ("What does your morning look like?", "morning"),
    ("Where did the family have Thanksgiving?", "holiday"),
    ("What happened to your brother Frank?", "brother"),
    ("What are you afraid of?", "fear"),
    ("What was your proudest moment?", "proud"),
    ("What was your hometown like?", "town"),
    ("Did you like to dance?", "dance"),
)
"""(question, id of the memory that answers it)."""

ABSENT: tuple[str, ...] = (
    "Have you ever been to Hawaii?",
    "Did you ever ride a motorcycle?",
    "What was your favourite television show?",
    "Did you ever play tennis?",
    "Have you ever been on an airplane?",
    "Did you ever learn to swim?",
    "What was your blood type?",
    "Did you ever live in a big city?",
    "Did you ever have a cat?",
    "What was your first phone number?",
    "Did you ever go skiing?",
    "Have you ever been to Europe?",
    "Did you play the piano?",
    "What was your favourite movie star?",
    "Did you ever win a prize at the county fair?",
)
"""Questions about her life that her words never answer: each must be declined."""
