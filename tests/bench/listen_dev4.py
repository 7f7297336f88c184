"""DEV4: near-topic traps, the person's own how-to memories and questions about the person themself
(written 2026-12-07 by reading the messages, before any tuning on it).

Three kinds of input the earlier sets hold little of:
- "absent" near-topic traps: the data has a memory next to the thing asked about but about a
  *different specific thing* of the same kind (a dog asked, the memory is about a cat; the navy
  asked, the memory is about the army or a job; a piano asked, the memory is about a harmonica;
  another dish's recipe; the spouse's job asked of the person). Checked by reading: no message
  answers them.
- "answerable" in new wording, with the person's own recipes and how-tos (a spoken recipe is a
  memory, not an instruction to withhold) and questions about the person themself (height,
  habits) that the data answers.
- ``HARMLESS``: questions about the person's own body, looks, habits, health history and family
  names, asked with "are you ...?": ordinary questions, never "are you alive?" (0 breaks wanted).

Walter's answers are message ids of device/companion/personas/walter/messages.jsonl; June's are
words of her reply in listen_sets.JUNE_CHAT. Measured with ``bench_listen.py --set dev4``; a
tuning set (the reported numbers come from sets not read while tuning).
"""

from __future__ import annotations

WALTER = {
    "answerable": {
        "Are you a tall man?": r"about-03$",
        "How tall were you in your prime?": r"about-03$",
        "What goes into your chili?": r"cook-10$",
        "Where's your secret fishing spot?": r"fish-0[12]$",
        "How do you fry up a fish?": r"cook-11$",
        "How do you gut a fish?": r"fish-13$",
        "What's your trick for good pancakes?": r"cook-09$",
        "How do you take your coffee?": r"cook-15$",
        "How do you make your oatmeal cookies?": r"cook-18$",
        "How do you fix a flat on the car?": r"cars-07$",
        "How do you keep so fit?": r"health-0[36]$",
        "Was your dad in the army?": r"father-0[2378]$",
        "Did you get called up for the war?": r"father-08$",
        "Did you have a dog when you were a boy?": r"dog-10$",
        "What frightens Biscuit?": r"dog-13$",
        "Which instrument do you play?": r"music-02$",
        "Did you ever sing in a choir?": r"music-09$",
        "What position did you play on the baseball team?": r"sports-01$",
        "What did you eat as a kid on the farm?": r"cook-12$",
        "Who are your buddies at the diner?": r"family-22$",
        "Were you a well-behaved boy?": r"child-15$",
        "Which ice cream flavour do you like?": r"about-05$",
        "Did you ride horses on the farm?": r"about-07$",
        "What bait do you put on the hook?": r"fish-07$",
        "How do you make a crust that isn't soggy?": r"cook-03$",
    },
    "absent": [
        "Did you ever serve in the navy?",
        "Were you ever in the air force?",
        "What was your cat's name?",
        "Did you ever play the piano?",
        "Did you ever play the guitar?",
        "Did you ever play tennis?",
        "Did you play basketball in school?",
        "What was your first bicycle like?",
        "Did you ever keep bees?",
        "What's your trick for catching bass?",
        "How do you make lasagne?",
        "What's your recipe for meatloaf?",
        "Did you ever have a pet rabbit?",
        "What was your sister's husband called?",
        "Did your mother work in a factory?",
        "Did you ever drive a school bus?",
        "Did you ever build a boat house?",
        "What was your grandmother's maiden name?",
        "Did you ever play in a band?",
        "Did you ever go deer hunting with your dad?",
    ],
}

JUNE = {
    "answerable": {
        "What was the name of your cat?": r"Marmalade",
        "Did you have pets when you were married?": r"Marmalade",
        "What do you bake on Bonfire Night?": r"Parkin",
        "How do you make your parkin?": r"Parkin",
        "What fat do you roast your potatoes in?": r"goose fat",
        "What did you do at the telephone exchange?": r"telephonist",
        "How many brothers did you have?": r"Three brothers",
        "What's your sister called?": r"Eileen",
        "Where did you spend your first week as newlyweds?": r"Scarborough",
        "Who did you go to see at the Odeon?": r"Dusty",
        "What happened when Grandad got sunburnt?": r"Majorca",
        "Did Grandad know the people on his bus?": r"number 12 bus",
        "Who was the strict teacher at your school?": r"Pickles",
        "What's growing up your back fence?": r"sweet peas",
        "Do you still do your knitting?": r"cardigan|Every evening",
        "How did your mam make ends meet?": r"tiny and fierce",
        "Who did you go to see in Blackpool?": r"Tom Jones",
        "What was your first home as a married couple like?": r"Crown Street",
        "Do you know how to drive?": r"never",
        "What do you remember about the blackout?": r"blackout",
        "Where did you go every August?": r"Whitby|every August",
        "What's the trick to sticky parkin?": r"Parkin",
    },
    "absent": [
        "Did you keep a budgie?",
        "Did you have a horse when you were little?",
        "Did you have a rabbit as a girl?",
        "Did you ever join the army?",
        "Did Grandad do national service?",
        "Was your dad a soldier?",
        "What was your brother's job?",
        "What was your sister's husband like?",
        "Did you ever bake bread?",
        "How do you make Yorkshire pudding?",
        "What's the secret to your gravy?",
        "Did you ever play the organ?",
        "Did you ever go to France?",
        "Did you ever drive a bus?",
        "Did you ever knit a jumper for Grandad?",
        "Did you ever work in a bakery?",
        "Did you ever work as a nurse?",
        "Were you in the Girl Guides?",
        "Did you have a bike as a girl?",
        "What was your dog's name?",
    ],
}

HARMLESS = [
    "Are you a tall man?", "Are you left-handed?", "Are you short or tall?", "Are you a good cook?",
    "Are you an early riser?", "Are you allergic to anything?", "Are you a good dancer?", "Are you a night owl?",
    "Are you superstitious?", "Are you religious?", "Are you a morning person?", "Were you a shy child?",
    "Are you the oldest in your family?", "Are you named after anyone?", "Is your hair grey now?",
    "What colour are your eyes?", "Have you always worn glasses?", "Did you ever have false teeth?",
    "Do you snore?", "Did you ever smoke a pipe?", "Do you take sugar in your tea?", "What size shoes do you wear?",
    "Are you hard of hearing?", "Have you got a beard?", "Were you ever really ill?", "Are you afraid of spiders?",
    "Are you scared of heights?", "Are you a good swimmer?", "Are you a patient person?", "Are you handy with tools?",
    "Are you a Catholic?", "Are you ticklish?", "Have you got any scars?", "What's your star sign?",
    "Did you have chickenpox as a child?", "Are you still a big eater?",
]
