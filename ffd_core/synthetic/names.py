"""Name pools for the synthetic county: UK forenames and surnames by heritage group.

Every name here is a common given name or surname, not a person. Pools are listed
most-common first; :func:`zipf_weights` turns rank into a draw weight so a few names
are frequent (many Olivias and Smiths, as in a real county) and most are rare.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(block: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(block.split()))  # drop repeats, keep rank order


def zipf_weights(count: int, offset: float) -> tuple[float, ...]:
    """Rank weights 1/(rank + offset): the larger the offset, the flatter the draw."""
    return tuple(1.0 / (rank + offset) for rank in range(1, count + 1))


@dataclass(frozen=True)
class NamePool:
    """Forenames by gender and surnames, for one heritage group."""

    boys: tuple[str, ...]
    girls: tuple[str, ...]
    surnames: tuple[str, ...]


BRITISH_BOYS = _words("""
    Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie
    Jack Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac
    Teddy Alexander Luca Edward James Joshua Albie Elijah Max Mason Reuben Hugo Ezra
    Sebastian Jaxon Louie Harrison Elliot Daniel Ethan Rory Jude Frankie Toby Benjamin
    Samuel Joseph Dylan Riley Logan Jenson Ronnie Tobias Bobby Albert Hunter Ralph
    Jasper Grayson Otis Ollie Jayden Harvey Caleb Chester Louis Michael Hudson Stanley
    Jesse Ryan Felix David Alfred Robert Matthew Nathan Callum Kai Zachary Liam Aaron
    Kyle Connor Jamie Lewis Adam Ben Alex Sam Joe Billy Tyler Brandon Declan Owen
    Rhys Evan Gabriel Nathaniel Christopher Anthony Patrick Francis Charles Richard
    Peter Stephen Luke Mark Andrew Cameron Kieran Bradley Jordan Lucas Blake Dexter
    Mohammed Ellis Hayden Kian Morgan Spencer Vincent Wilfred Douglas Hector Ernest
""")

BRITISH_GIRLS = _words("""
    Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella
    Grace Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte
    Harper Millie Matilda Maya Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria
    Penelope Mila Bonnie Eva Hallie Eliza Ada Violet Esme Arabella Imogen Jessica
    Delilah Thea Layla Margot Hannah Lucy Chloe Erin Holly Megan Jasmine Scarlett
    Harriet Beatrice Matilda Abigail Elizabeth Katie Lola Nancy Lottie Orla Iris
    Georgia Darcie Robyn Eleanor Molly Aisha Zara Amber Lacey Summer Paige Kayla Leah
    Amelie Annabelle Clara Edith Mabel Martha Nell Pippa Rebecca Rachel Sarah Laura
    Emma Victoria Natalie Bethany Caitlin Courtney Kelsey Jade Tia Demi Skye Maddison
    Brooke Niamh Lydia Naomi Tilly Ellie Gracie Heidi Faith Hope Serena Frances Joanna
""")

BRITISH_SURNAMES = _words("""
    Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
    Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris
    Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee
    King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price
    Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell
    Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh
    Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain
    Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell
    Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher
    Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford
    Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball
    Burton OBrien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees
    Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh
    Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson
    Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates
    Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long
    Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis
    Hopkins OConnor Harper Coleman Watkins Moss McCarthy Chambers ONeill Griffin
    Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan
    Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles Stevenson
    Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin
    Sullivan Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton
    Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings
    Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton
    Lawson Banks French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas Dickinson
    Todd Barlow Peters Lucas Knowles Hartley Miah Simmons Morton Alexander Field Morrison
    Norris Townsend Preston Hancock Thornton Baldwin Burrows Briggs Storey Pugh Fraser
""")

# A long tail of rarer English place-name surnames (Ashworth, Whitfield, ...), as a real
# county has: a few hundred common surnames cover only about a third of people.
_TAIL_STEMS = _words("""
    Ash Black Brad Brook Church Cold Dun Fair Green Hal Hat Hol Kings Lang Lit Mar Mid
    Nor Ox Pem Rad Red Ris Ros Sand Shel Stan Sut Thorn Wal War Wes Whit Wood Wor Hart
""")
_TAIL_ENDINGS = _words("worth ley ton field ford wood by ham well combe more dale wick bury stone")
BRITISH_SURNAMES = BRITISH_SURNAMES + tuple(
    name
    for ending in _TAIL_ENDINGS
    for stem in _TAIL_STEMS
    if (name := stem + ending) not in BRITISH_SURNAMES
)

IRISH_BOYS = _words("Cian Oisin Sean Liam Conor Darragh Ronan Cillian Eoin Padraig Fionn Tadhg")
IRISH_GIRLS = _words("Niamh Aoife Ciara Saoirse Siobhan Roisin Caoimhe Orla Sinead Aisling Grainne")
IRISH_SURNAMES = _words("""
    Murphy Kelly OSullivan Walsh OBrien Byrne Ryan OConnor ONeill Reilly Doyle
    McCarthy Gallagher Doherty Kennedy Lynch Murray Quinn Moore McLoughlin Carroll
    Connolly Daly Connell Fitzgerald Brennan Keane McGrath Maguire Nolan Flanagan
""")

EASTERN_EUROPEAN_BOYS = _words("""
    Jakub Kacper Szymon Filip Antoni Jan Aleksander Franciszek Mikolaj Wojciech
    Andrei Ionut Mihai Stefan Luka Matei David Bogdan Lukas Tomas Marek Adrian
""")
EASTERN_EUROPEAN_GIRLS = _words("""
    Zuzanna Julia Maja Zofia Hanna Lena Alicja Maria Amelia Oliwia Natalia Wiktoria
    Ioana Elena Andreea Bianca Daria Alexandra Ana Karolina Emilia Gabriela
""")
EASTERN_EUROPEAN_SURNAMES = _words("""
    Nowak Kowalski Wisniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński
    Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk Popescu Ionescu
    Popa Radu Dumitru Stan Stoica Gheorghe Matei Horvath Novak Petrov Ivanov Balogh
""")

SOUTH_ASIAN_MUSLIM_BOYS = _words("""
    Muhammad Mohammed Ayaan Zayn Ibrahim Yusuf Musa Adam Hamza Ali Eesa Zakariya
    Umar Abdullah Rayyan Idris Haroon Bilal Imran Saad Arham Aariz Zain Ismail Hassan
""")
SOUTH_ASIAN_MUSLIM_GIRLS = _words("""
    Aisha Maryam Fatima Zara Hafsa Inaaya Khadija Amira Zainab Hana Safa Anaya
    Sumaya Aleena Haniya Alayna Inaya Mariam Noor Eshal Humaira Samina Tahmina Ruqayyah
""")
SOUTH_ASIAN_MUSLIM_SURNAMES = _words("""
    Khan Ahmed Hussain Ali Akhtar Iqbal Mahmood Rahman Uddin Islam Miah Chowdhury
    Hussein Rashid Aslam Butt Malik Mirza Qureshi Sheikh Shah Anwar Begum Raza
    Nawaz Saleem Javed Karim Haque Hoque Sultana Siddiqui Bashir
""")

INDIAN_BOYS = _words("""
    Arjun Aarav Krish Rohan Dev Vihaan Reyansh Ishaan Aryan Kabir Harjot Gurveer
    Jaspreet Rajan Nikhil Sai Veer Ravi Karan Manav Jai Anay
""")
INDIAN_GIRLS = _words("""
    Anaya Priya Diya Riya Simran Harleen Gurpreet Anika Saanvi Myra Aadhya Ishita
    Jasleen Navneet Tara Kiran Meera Pooja Asha Avni Jiya Amrit
""")
INDIAN_SURNAMES = _words("""
    Patel Singh Kaur Sharma Shah Kumar Gill Sandhu Mistry Parmar Sidhu Bains Dhillon
    Chauhan Gupta Joshi Mehta Rana Sahota Virdi Bhatt Desai Thakkar Pandya Chopra
""")

AFRICAN_BOYS = _words("""
    David Daniel Samuel Emmanuel Joshua Oluwaseun Tobi Ayo Chidi Kwame Kofi Tariq
    Abdirahman Mohamed Ahmed Abdullahi Nathaniel Israel Favour Divine Ebuka Femi
    Jeremiah Elijah Olamide Somto Kelechi Yaw Kwabena Mustafa
""")
AFRICAN_GIRLS = _words("""
    Precious Blessing Favour Grace Chidera Adaeze Amara Zainab Ifeoma Esther Abigail
    Deborah Temitope Oluwatoyin Nkechi Ama Akosua Hodan Hibaq Fartun Faith Comfort
    Mercy Tiwa Adanna Chioma Nneka Ayomide Simisola Hawa
""")
AFRICAN_SURNAMES = _words("""
    Okafor Adeyemi Mensah Osei Boateng Mohamed Abdi Hassan Ahmed Okonkwo Adebayo
    Owusu Asante Nwosu Ogunleye Olawale Eze Obi Afolabi Bello Oduya Appiah Agyeman
    Ibrahim Warsame Farah Yusuf Omar Nkemelu Adeleke Okeke Ogunbanjo Ansah Darko
""")

CARIBBEAN_SURNAMES = _words("""
    Campbell Brown Williams Thompson Clarke Grant Francis Bailey Reid Johnson Gordon
    Henry Edwards Lewis Robinson Samuels Morgan Walker Forbes Bennett Richards Gayle
""")

CHINESE_BOYS = _words("Ethan Ryan Jason Kevin Hao Jun Wei Yi Chen Ming Leo Lucas")
CHINESE_GIRLS = _words("Chloe Emily Grace Mei Xin Yan Ling Jia Hui Annie Joy Vivian")
CHINESE_SURNAMES = _words("""
    Chen Wang Li Zhang Liu Wong Lee Cheung Chan Lam Ng Ho Yang Huang Zhao Lin Tang
""")

OTHER_BOYS = _words("""
    Omar Ali Ahmed Youssef Karim Amir Mehmet Emir Yusuf Minh Duc Anh Mustafa Tariq Rami
""")
OTHER_GIRLS = _words("""
    Layla Noor Mariam Yasmin Lina Elif Zeynep Defne Linh Mai Hana Sara Rania Dina Salma
""")
OTHER_SURNAMES = _words("""
    Hassan Abdullah Ibrahim Yilmaz Demir Kaya Nguyen Tran Pham AlSayed Haddad Mansour
    Kurt Aydin Celik Said Saleh Nasser Aziz Karimi Ahmadi Hosseini Rezaei
""")


POOLS: dict[str, NamePool] = {
    "british": NamePool(BRITISH_BOYS, BRITISH_GIRLS, BRITISH_SURNAMES),
    "irish": NamePool(IRISH_BOYS + BRITISH_BOYS, IRISH_GIRLS + BRITISH_GIRLS, IRISH_SURNAMES),
    "eastern_european": NamePool(
        EASTERN_EUROPEAN_BOYS, EASTERN_EUROPEAN_GIRLS, EASTERN_EUROPEAN_SURNAMES
    ),
    "south_asian_muslim": NamePool(
        SOUTH_ASIAN_MUSLIM_BOYS, SOUTH_ASIAN_MUSLIM_GIRLS, SOUTH_ASIAN_MUSLIM_SURNAMES
    ),
    "indian": NamePool(INDIAN_BOYS, INDIAN_GIRLS, INDIAN_SURNAMES),
    "african": NamePool(AFRICAN_BOYS, AFRICAN_GIRLS, AFRICAN_SURNAMES),
    "caribbean": NamePool(BRITISH_BOYS, BRITISH_GIRLS, CARIBBEAN_SURNAMES),
    "chinese": NamePool(CHINESE_BOYS, CHINESE_GIRLS, CHINESE_SURNAMES),
    "other": NamePool(OTHER_BOYS, OTHER_GIRLS, OTHER_SURNAMES),
}

# Surnames stored without punctuation above read naturally with it.
_PUNCTUATED = {"OBrien": "O'Brien", "OConnor": "O'Connor", "ONeill": "O'Neill",
               "OSullivan": "O'Sullivan", "AlSayed": "Al-Sayed"}


def display_surname(surname: str) -> str:
    return _PUNCTUATED.get(surname, surname)


# Ethnicity (CIN code) -> (weight in England's child population, forename groups, surname groups).
# Weights are rough shares from the school census; mixed codes draw each part from a parent.
ETHNICITIES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "WBRI": (64.0, ("british",), ("british",)),
    "WIRI": (0.3, ("irish",), ("irish",)),
    "WIRT": (0.1, ("british",), ("irish", "british")),
    "WOTH": (6.9, ("eastern_european", "british"), ("eastern_european",)),
    "WROM": (0.5, ("eastern_european",), ("eastern_european",)),
    "MWBC": (1.7, ("british",), ("british", "caribbean")),
    "MWBA": (1.0, ("british", "african"), ("british", "african")),
    "MWAS": (1.8, ("british", "south_asian_muslim"), ("british", "south_asian_muslim")),
    "MOTH": (2.4, ("british", "other"), ("british", "other", "african")),
    "AIND": (3.5, ("indian",), ("indian",)),
    "APKN": (4.6, ("south_asian_muslim",), ("south_asian_muslim",)),
    "ABAN": (1.8, ("south_asian_muslim",), ("south_asian_muslim",)),
    "AOTH": (2.2, ("south_asian_muslim", "indian"), ("south_asian_muslim", "indian")),
    "BCRB": (1.0, ("british",), ("caribbean",)),
    "BAFR": (4.1, ("african",), ("african",)),
    "BOTH": (0.7, ("african", "british"), ("african", "caribbean")),
    "CHNE": (0.5, ("chinese",), ("chinese",)),
    "OOTH": (2.0, ("other",), ("other",)),
    "REFU": (0.5, ("british",), ("british",)),
    "NOBT": (0.4, ("british",), ("british",)),
}

ADULT_WOMEN = _words("""
    Sarah Emma Claire Gemma Laura Rebecca Kelly Amy Hannah Charlotte Lisa Nicola Stacey
    Danielle Jade Leanne Kirsty Samantha Victoria Natalie Jennifer Michelle Joanne
    Zoe Katie Rachel Hayley Donna Louise Amanda Fatima Aisha Nadia Shazia Priya
    Agnieszka Monika Anna Blessing Grace Joy Mei Tracey Karen Susan Julie Carol
    Janet Linda Patricia Margaret Deborah Lorraine
""")
ADULT_MEN = _words("""
    David Paul Mark Andrew James Daniel Michael Lee Craig Chris Matthew Richard Steven
    Stuart Gareth Wayne Jamie Dean Carl Adam Ryan Scott Ben Tom Darren Ashley Imran
    Tariq Asif Rajesh Piotr Tomasz Marius Kwame Emeka Wei John Robert Peter Alan
    Brian Keith Gary Kevin Ian Neil Graham
""")
